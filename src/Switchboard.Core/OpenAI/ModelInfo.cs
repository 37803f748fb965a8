using System.Text.Json.Serialization;

namespace Switchboard.OpenAI;

/// <summary>One entry of <c>GET /v1/models</c>.</summary>
public sealed record ModelInfo
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("object")] public string Object { get; init; } = "model";
    [JsonPropertyName("created")] public long Created { get; init; }
    [JsonPropertyName("owned_by")] public required string OwnedBy { get; init; }
}
