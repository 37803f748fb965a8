using Microsoft.Extensions.Configuration;

namespace Switchboard.Conversations.Configuration;

/// <summary>
/// <c>conversations:</c> the chat endpoint that remembers (<c>POST /chat</c>, <c>GET/PUT/DELETE /context</c>,
/// <c>GET /conversations</c>). Conversations are kept in the gateway's database (<c>database:</c>).
/// </summary>
public sealed class ConversationsOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "conversations";

    /// <summary>The conversation a message without <c>conversation</c> goes to: one channel where many users talk.</summary>
    public const string DefaultConversation = "default";

    /// <summary>Map the endpoints. On by default; off leaves <c>switchboard serve</c> a plain gateway.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Whose conversations a caller sees when keys are on (<c>auth.master_key</c>): <c>key</c> (default) gives each
    /// virtual key its own conversation ids, <c>team</c> each team, <c>global</c> shares one set among all keys. The
    /// master key works in the shared partition and may name any other. Without keys there is one partition.
    /// </summary>
    public string Partition { get; set; } = ConversationPartitions.Key;

    /// <summary>The model replies come from unless a message names one; null: the first of <c>models:</c>.</summary>
    public string? Model { get; set; }

    /// <summary>The service's system prompt, first in every conversation (a conversation's own and a message's follow it).</summary>
    [ConfigurationKeyName("system_prompt")]
    public string SystemPrompt { get; set; } = string.Empty;

    /// <summary>The bot's display name: stored as the speaker of its replies, and removed when the model echoes it as a prefix.</summary>
    [ConfigurationKeyName("bot_name")]
    public string BotName { get; set; } = "assistant";

    /// <summary>Show user messages to the model as <c>username: message</c>, so it can tell the people of a channel apart.</summary>
    [ConfigurationKeyName("attribute_speakers")]
    public bool AttributeSpeakers { get; set; } = true;

    /// <summary>The longest message accepted, in characters; longer ones are refused with 400.</summary>
    [ConfigurationKeyName("max_message_chars")]
    public int MaxMessageChars { get; set; } = 4000;

    /// <summary>The longest system prompt a request or conversation may set, in characters.</summary>
    [ConfigurationKeyName("max_system_prompt_chars")]
    public int MaxSystemPromptChars { get; set; } = 8000;

    /// <summary>The reply's <c>max_tokens</c>: what the window keeps free for the answer. A message may ask for less or more.</summary>
    [ConfigurationKeyName("max_tokens")]
    public int MaxTokens { get; set; } = 512;

    /// <summary>The context window assumed for a model without <c>models[].context_window</c>, in tokens.</summary>
    [ConfigurationKeyName("context_window")]
    public int ContextWindow { get; set; } = 8192;

    /// <summary>How many recent topics are tracked and returned.</summary>
    public int Topics { get; set; } = 5;

    /// <summary>The turns (messages and replies) kept per conversation; older ones are deleted, a tenth at a time.</summary>
    [ConfigurationKeyName("history_limit")]
    public int HistoryLimit { get; set; } = 1000;

    /// <summary>A conversation nobody wrote to for this long is deleted (and a new message starts it afresh).</summary>
    [ConfigurationKeyName("idle_timeout")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Clean replies (reasoning blocks, inner monologue, echoed names, invented turns of other users) before they are stored or returned.</summary>
    public bool Clean { get; set; } = true;

    /// <summary>
    /// Keep a user's message when the model could not answer (the next reply then sees it). Off by default: a failed
    /// message leaves the conversation exactly as it was.
    /// </summary>
    [ConfigurationKeyName("keep_unanswered")]
    public bool KeepUnanswered { get; set; }

    /// <summary>The most messages that may wait for one conversation in this process; more are answered 429.</summary>
    [ConfigurationKeyName("queue_limit")]
    public int QueueLimit { get; set; } = 32;

    /// <summary>How long a message may wait for the one before it in the same conversation before it is answered 429.</summary>
    [ConfigurationKeyName("queue_timeout")]
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>The running summary of turns that no longer fit the window.</summary>
    public ConversationSummaryOptions Summary { get; set; } = new();
}
