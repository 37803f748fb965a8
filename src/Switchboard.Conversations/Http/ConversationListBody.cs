using System.Text.Json.Serialization;

namespace Switchboard.Conversations.Http;

/// <summary>The answer of <c>GET /conversations</c>.</summary>
public sealed record ConversationListBody
{
    [JsonPropertyName("conversations")] public required IReadOnlyList<ConversationListItem> Conversations { get; init; }
    [JsonPropertyName("limit")] public int Limit { get; init; }
    [JsonPropertyName("offset")] public int Offset { get; init; }
}
