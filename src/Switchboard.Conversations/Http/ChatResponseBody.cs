using System.Text.Json.Serialization;

namespace Switchboard.Conversations.Http;

/// <summary>The answer of <c>POST /chat</c>; also the last event of a stream (<c>type: done</c>).</summary>
public sealed record ChatResponseBody
{
    /// <summary>Only in a stream: <c>done</c>.</summary>
    [JsonPropertyName("type")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Type { get; init; }

    [JsonPropertyName("conversation")] public required string Conversation { get; init; }
    [JsonPropertyName("reply")] public required string Reply { get; init; }
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("tokens_used")] public int TokensUsed { get; init; }
    [JsonPropertyName("prompt_tokens")] public int PromptTokens { get; init; }
    [JsonPropertyName("completion_tokens")] public int CompletionTokens { get; init; }
    [JsonPropertyName("response_time_ms")] public double ResponseTimeMs { get; init; }
    [JsonPropertyName("topics")] public required IReadOnlyList<string> Topics { get; init; }
}
