using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.OpenAI;

/// <summary><c>stream_options</c> of a chat request.</summary>
public sealed record StreamOptions
{
    [JsonPropertyName("include_usage")] public bool? IncludeUsage { get; init; }

    [JsonExtensionData] public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
