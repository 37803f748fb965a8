using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.OpenAI;

/// <summary>The answer of <c>POST /v1/embeddings</c>.</summary>
public sealed record EmbeddingResponse : IWireObject
{
    [JsonPropertyName("object")] public string Object { get; init; } = "list";
    [JsonPropertyName("data")] public required IReadOnlyList<EmbeddingData> Data { get; init; }
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("usage")] public Usage? Usage { get; init; }

    [JsonExtensionData] public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
