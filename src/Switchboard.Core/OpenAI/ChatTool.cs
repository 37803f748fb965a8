using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.OpenAI;

/// <summary>A tool the model may call (<c>tools[]</c> of a request).</summary>
public sealed record ChatTool
{
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("function")] public FunctionDefinition? Function { get; init; }

    [JsonExtensionData] public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
