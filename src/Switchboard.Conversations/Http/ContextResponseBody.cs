using System.Text.Json.Serialization;

namespace Switchboard.Conversations.Http;

/// <summary>The answer of <c>GET /context</c> and <c>PUT /context</c>.</summary>
public sealed record ContextResponseBody
{
    [JsonPropertyName("conversation")] public required string Conversation { get; init; }

    /// <summary>The conversation's partition, shown to the master key only (left out otherwise).</summary>
    [JsonPropertyName("partition")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Partition { get; init; }


    /// <summary>The combined system prompt: the service's, then the conversation's.</summary>
    [JsonPropertyName("system_prompt")] public required string SystemPrompt { get; init; }

    /// <summary>The conversation's own part of it.</summary>
    [JsonPropertyName("conversation_system_prompt")] public string? ConversationSystemPrompt { get; init; }

    [JsonPropertyName("summary")] public string? Summary { get; init; }
    [JsonPropertyName("topics")] public required IReadOnlyList<string> Topics { get; init; }
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("context_window")] public int ContextWindow { get; init; }

    /// <summary>The window less the reply's max_tokens.</summary>
    [JsonPropertyName("budget")] public int Budget { get; init; }

    /// <summary>What the prompt takes now.</summary>
    [JsonPropertyName("tokens")] public int Tokens { get; init; }

    [JsonPropertyName("turns_in_window")] public int TurnsInWindow { get; init; }
    [JsonPropertyName("created_at")] public DateTimeOffset CreatedAt { get; init; }
    [JsonPropertyName("last_active_at")] public DateTimeOffset LastActiveAt { get; init; }
    [JsonPropertyName("turns")] public required IReadOnlyList<TurnView> Turns { get; init; }
}
