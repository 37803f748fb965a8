using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.OpenAI;

/// <summary>A whole (non-streamed) chat completion.</summary>
public sealed record ChatCompletionResponse : IWireObject
{
    [JsonPropertyName("id")] public string Id { get; init; } = string.Empty;
    [JsonPropertyName("object")] public string Object { get; init; } = "chat.completion";
    [JsonPropertyName("created")] public long Created { get; init; }
    [JsonPropertyName("model")] public string Model { get; init; } = string.Empty;
    [JsonPropertyName("choices")] public IReadOnlyList<ChatChoice> Choices { get; init; } = [];
    [JsonPropertyName("usage")] public Usage? Usage { get; init; }
    [JsonPropertyName("system_fingerprint")] public string? SystemFingerprint { get; init; }
    [JsonPropertyName("service_tier")] public string? ServiceTier { get; init; }

    [JsonExtensionData] public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
