using System.Text.Json.Serialization;

namespace Switchboard.OpenAI;

/// <summary>The OpenAI error envelope: <c>{"error":{"message","type","param","code"}}</c>.</summary>
public sealed record ErrorResponse
{
    [JsonPropertyName("error")] public required ErrorBody Error { get; init; }
}
