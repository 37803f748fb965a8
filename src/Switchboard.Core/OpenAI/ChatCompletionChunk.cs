using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.OpenAI;

/// <summary>One server-sent event of a streamed chat completion.</summary>
public sealed record ChatCompletionChunk
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("object")] public string Object { get; init; } = "chat.completion.chunk";
    [JsonPropertyName("created")] public long Created { get; init; }
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("choices")] public required IReadOnlyList<ChunkChoice> Choices { get; init; }

    /// <summary>Set only on the last chunk, and only when the request asked for <c>stream_options.include_usage</c>.</summary>
    [JsonPropertyName("usage")] public Usage? Usage { get; init; }
    [JsonPropertyName("system_fingerprint")] public string? SystemFingerprint { get; init; }
    [JsonPropertyName("service_tier")] public string? ServiceTier { get; init; }

    [JsonExtensionData] public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
