using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.OpenAI;

/// <summary>The function of a <see cref="ChatTool"/>: name, description and JSON schema of its parameters.</summary>
public sealed record FunctionDefinition
{
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("parameters")] public JsonElement? Parameters { get; init; }
    [JsonPropertyName("strict")] public bool? Strict { get; init; }

    [JsonExtensionData] public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
