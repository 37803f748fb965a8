using System.Text.Json.Serialization;

namespace Switchboard.OpenAI;

/// <summary>The answer of <c>GET /v1/models</c>.</summary>
public sealed record ModelList
{
    [JsonPropertyName("object")] public string Object { get; init; } = "list";
    [JsonPropertyName("data")] public required IReadOnlyList<ModelInfo> Data { get; init; }
}
