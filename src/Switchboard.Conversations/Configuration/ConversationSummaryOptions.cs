using Microsoft.Extensions.Configuration;

namespace Switchboard.Conversations.Configuration;

/// <summary>
/// <c>conversations.summary:</c> when turns no longer fit the window, the oldest of them are summarized through the
/// gateway (one more model call) and the summary is stored with the conversation and shown after the system prompt.
/// </summary>
public sealed class ConversationSummaryOptions
{
    /// <summary>Off by default: dropped turns are simply forgotten.</summary>
    public bool Enabled { get; set; }

    /// <summary>The model that writes summaries; null: the conversation's own.</summary>
    public string? Model { get; set; }

    /// <summary>The summary's <c>max_tokens</c>.</summary>
    [ConfigurationKeyName("max_tokens")]
    public int MaxTokens { get; set; } = 256;

    /// <summary>
    /// The share of the window the newest turns keep when a summary is made (0.1 to 0.9): the rest is summarized, so a
    /// summary is made once every few messages, not for each.
    /// </summary>
    [ConfigurationKeyName("keep_ratio")]
    public double KeepRatio { get; set; } = 0.5;

    /// <summary>The instruction the summarizing model gets.</summary>
    public string Prompt { get; set; } =
        "Summarize the conversation below for whoever continues it: who said what that matters, facts, decisions and open questions. " +
        "Keep earlier summary points that still matter. Answer with the summary only, in a few sentences.";
}
