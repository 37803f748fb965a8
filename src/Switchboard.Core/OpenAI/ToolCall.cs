using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.OpenAI;

/// <summary>
/// A call the model makes to a tool. In a whole message every field is set; in a stream delta only
/// <see cref="Index"/> is sure to be, and the arguments arrive in pieces.
/// </summary>
public sealed record ToolCall
{
    [JsonPropertyName("index")] public int? Index { get; init; }
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("function")] public FunctionCall? Function { get; init; }

    [JsonExtensionData] public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
