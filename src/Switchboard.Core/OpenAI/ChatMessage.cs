using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.OpenAI;

/// <summary>One message of a conversation, as sent in a request or returned in a choice.</summary>
public sealed record ChatMessage
{
    [JsonPropertyName("role")] public string? Role { get; init; }

    /// <summary>A plain string or an array of content parts; null for an assistant turn that only calls tools.</summary>
    [JsonPropertyName("content")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public MessageContent? Content { get; init; }

    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("tool_calls")] public IReadOnlyList<ToolCall>? ToolCalls { get; init; }
    [JsonPropertyName("tool_call_id")] public string? ToolCallId { get; init; }
    [JsonPropertyName("refusal")] public string? Refusal { get; init; }

    [JsonExtensionData] public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary>The text of the message: the string content, or its text parts joined by new lines.</summary>
    [JsonIgnore] public string Text => Content?.Text ?? string.Empty;

    public static ChatMessage System(string text) => new() { Role = ChatRoles.System, Content = MessageContent.FromText(text) };

    public static ChatMessage User(string text) => new() { Role = ChatRoles.User, Content = MessageContent.FromText(text) };

    public static ChatMessage Assistant(string text) => new() { Role = ChatRoles.Assistant, Content = MessageContent.FromText(text) };
}
