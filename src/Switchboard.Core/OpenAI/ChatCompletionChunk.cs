using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.OpenAI;

/// <summary>
/// One server-sent event of a streamed chat completion. Nothing is required when reading: some
/// OpenAI-compatible servers leave out <c>id</c> or <c>model</c> on some chunks.
/// </summary>
public sealed record ChatCompletionChunk : IWireObject
{
    [JsonPropertyName("id")] public string Id { get; init; } = string.Empty;
    [JsonPropertyName("object")] public string Object { get; init; } = "chat.completion.chunk";
    [JsonPropertyName("created")] public long Created { get; init; }
    [JsonPropertyName("model")] public string Model { get; init; } = string.Empty;
    [JsonPropertyName("choices")] public IReadOnlyList<ChunkChoice> Choices { get; init; } = [];

    /// <summary>Set only on the last chunk, and only when the request asked for <c>stream_options.include_usage</c>.</summary>
    [JsonPropertyName("usage")] public Usage? Usage { get; init; }
    [JsonPropertyName("system_fingerprint")] public string? SystemFingerprint { get; init; }
    [JsonPropertyName("service_tier")] public string? ServiceTier { get; init; }

    [JsonExtensionData] public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
