using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Conversations.Http;

/// <summary>The body of <c>PUT /context</c>: the conversation's own system prompt (null or empty clears it).</summary>
public sealed record SystemPromptBody
{
    [JsonPropertyName("system_prompt")] public string? SystemPrompt { get; init; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Unknown { get; set; }
}
