using System.Text.Json.Serialization;

namespace Switchboard.Conversations.Http;

/// <summary>One conversation in <c>GET /conversations</c>.</summary>
public sealed record ConversationListItem
{
    [JsonPropertyName("conversation")] public required string Conversation { get; init; }

    /// <summary>Whose it is: <c>global</c>, <c>key:ID</c> or <c>team:NAME</c> (<c>?partition=</c> addresses it on <c>/context</c>).</summary>
    [JsonPropertyName("partition")] public required string Partition { get; init; }

    [JsonPropertyName("turns")] public int Turns { get; init; }
    [JsonPropertyName("model")] public string? Model { get; init; }
    [JsonPropertyName("has_summary")] public bool HasSummary { get; init; }
    [JsonPropertyName("has_system_prompt")] public bool HasSystemPrompt { get; init; }
    [JsonPropertyName("created_at")] public DateTimeOffset CreatedAt { get; init; }
    [JsonPropertyName("last_active_at")] public DateTimeOffset LastActiveAt { get; init; }
}
