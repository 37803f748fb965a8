using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.OpenAI;

/// <summary>One vector of an embedding answer.</summary>
public sealed record EmbeddingData
{
    [JsonPropertyName("object")] public string Object { get; init; } = "embedding";
    [JsonPropertyName("index")] public int Index { get; init; }

    /// <summary>An array of floats, or a base64 string when <c>encoding_format</c> was <c>base64</c>.</summary>
    [JsonPropertyName("embedding")] public required JsonElement Embedding { get; init; }
}
