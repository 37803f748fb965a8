using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.OpenAI;

/// <summary>One part of multimodal message content: text, an image URL, audio or a file.</summary>
public sealed record ContentPart
{
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("text")] public string? Text { get; init; }
    [JsonPropertyName("image_url")] public JsonElement? ImageUrl { get; init; }
    [JsonPropertyName("input_audio")] public JsonElement? InputAudio { get; init; }
    [JsonPropertyName("file")] public JsonElement? File { get; init; }

    [JsonExtensionData] public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
