using System.Text.Json.Serialization;

namespace Switchboard.Conversations.Http;

/// <summary>One turn in <c>GET /context</c>: who said what, when.</summary>
public sealed record TurnView
{
    [JsonPropertyName("role")] public required string Role { get; init; }
    [JsonPropertyName("username")] public required string Username { get; init; }
    [JsonPropertyName("message")] public required string Message { get; init; }
    [JsonPropertyName("emotes")] public required IReadOnlyList<string> Emotes { get; init; }
    [JsonPropertyName("at")] public DateTimeOffset At { get; init; }
}
