using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.OpenAI;

/// <summary>The part of a message that one streamed chunk adds.</summary>
public sealed record ChatDelta
{
    [JsonPropertyName("role")] public string? Role { get; init; }
    [JsonPropertyName("content")] public string? Content { get; init; }
    [JsonPropertyName("tool_calls")] public IReadOnlyList<ToolCall>? ToolCalls { get; init; }
    [JsonPropertyName("refusal")] public string? Refusal { get; init; }

    [JsonExtensionData] public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
