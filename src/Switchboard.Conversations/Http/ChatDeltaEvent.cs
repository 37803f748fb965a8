using System.Text.Json.Serialization;

namespace Switchboard.Conversations.Http;

/// <summary>A piece of a streamed reply: <c>{"type":"delta","delta":"..."}</c>.</summary>
public sealed record ChatDeltaEvent
{
    [JsonPropertyName("type")] public string Type => "delta";
    [JsonPropertyName("delta")] public required string Delta { get; init; }
}
