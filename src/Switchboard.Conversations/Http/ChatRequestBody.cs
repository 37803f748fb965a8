using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Conversations.Http;

/// <summary>The body of <c>POST /chat</c>.</summary>
public sealed record ChatRequestBody
{
    [JsonPropertyName("username")] public string? Username { get; init; }
    [JsonPropertyName("message")] public string? Message { get; init; }
    [JsonPropertyName("emotes")] public IReadOnlyList<string>? Emotes { get; init; }
    [JsonPropertyName("conversation")] public string? Conversation { get; init; }
    [JsonPropertyName("model")] public string? Model { get; init; }
    [JsonPropertyName("system_prompt")] public string? SystemPrompt { get; init; }
    [JsonPropertyName("stream")] public bool? Stream { get; init; }
    [JsonPropertyName("max_tokens")] public int? MaxTokens { get; init; }

    /// <summary>The partition of <see cref="Conversation"/> when not the caller's own (the master key only).</summary>
    [JsonPropertyName("partition")] public string? Partition { get; init; }

    /// <summary>Fields this endpoint does not know: refused, so a misspelt <c>conversation</c> does not go to the default one.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Unknown { get; set; }
}
