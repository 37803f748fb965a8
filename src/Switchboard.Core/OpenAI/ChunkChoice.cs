using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.OpenAI;

/// <summary>One choice of a streamed chunk.</summary>
public sealed record ChunkChoice
{
    [JsonPropertyName("index")] public int Index { get; init; }
    [JsonPropertyName("delta")] public required ChatDelta Delta { get; init; }

    [JsonPropertyName("finish_reason")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? FinishReason { get; init; }

    [JsonPropertyName("logprobs")] public JsonElement? Logprobs { get; init; }

    [JsonExtensionData] public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
