using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.OpenAI;

/// <summary>The body of <c>POST /v1/embeddings</c>.</summary>
public sealed record EmbeddingRequest
{
    [JsonPropertyName("model")] public string? Model { get; init; }

    /// <summary>A string, an array of strings, an array of token ids or an array of token-id arrays.</summary>
    [JsonPropertyName("input")] public JsonElement? Input { get; init; }
    [JsonPropertyName("encoding_format")] public string? EncodingFormat { get; init; }
    [JsonPropertyName("dimensions")] public int? Dimensions { get; init; }
    [JsonPropertyName("user")] public string? User { get; init; }

    [JsonExtensionData] public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary>
    /// The client's own bytes for this request when nothing but <see cref="Model"/> differs from them; see
    /// <see cref="ChatCompletionRequest.ClientJson"/>.
    /// </summary>
    [JsonIgnore] public ReadOnlyMemory<byte> ClientJson { get; init; }

    /// <summary>The inputs as texts; token-id inputs have no text and are returned as null entries.</summary>
    public IReadOnlyList<string?> GetInputs()
    {
        if (Input is not { } input)
        {
            return [];
        }

        return input.ValueKind switch
        {
            JsonValueKind.String => [input.GetString()],
            JsonValueKind.Array when input.GetArrayLength() > 0 && input[0].ValueKind == JsonValueKind.Number => [null],
            JsonValueKind.Array => [.. input.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : null)],
            _ => [],
        };
    }
}
