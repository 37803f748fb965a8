using System.Text.Json.Serialization;

namespace Switchboard.Conversations.Http;

/// <summary>The answer of <c>DELETE /context</c>.</summary>
public sealed record DeletedResponseBody
{
    [JsonPropertyName("conversation")] public required string Conversation { get; init; }
    [JsonPropertyName("deleted")] public bool Deleted { get; init; }
}
