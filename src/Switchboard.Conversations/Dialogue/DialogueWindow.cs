using System.Runtime.CompilerServices;
using Switchboard.OpenAI;

namespace Switchboard.Conversations.Dialogue;

/// <summary>
/// Fits a dialogue into a model's context window: the system prompt always, then as many of the newest turns as the
/// budget allows, oldest dropped first, never splitting the history (a dropped turn takes every older one with it), and
/// never opening on a reply whose question was dropped.
/// </summary>
public static class DialogueWindow
{
    // OpenAI's framing: each message costs 3 tokens beyond its text, and the reply is primed with 3 more.
    private const int TokensPerMessage = 3;
    private const int TokensPerReply = 3;

    /// <summary>Builds the prompt, or returns null when the system prompt and the new message alone exceed the budget.</summary>
    /// <param name="systemPrompt">The combined system prompt; empty for none.</param>
    /// <param name="summary">A running summary of dropped turns, shown after the system prompt; null for none.</param>
    /// <param name="turns">The stored dialogue, oldest first, ending with the new user message.</param>
    /// <param name="budget">Tokens the prompt may use: the context window less the reply's <c>max_tokens</c>.</param>
    /// <param name="attributeSpeakers">Prefix user messages with <c>username: </c> (a channel where many people talk).</param>
    /// <param name="countTokens">Counts the tokens of a text for the model's encoding.</param>
    public static WindowedPrompt? Build(
        string systemPrompt,
        string? summary,
        IReadOnlyList<DialogueTurn> turns,
        int budget,
        bool attributeSpeakers,
        Func<string, int> countTokens)
    {
        ArgumentNullException.ThrowIfNull(turns);
        ArgumentNullException.ThrowIfNull(countTokens);
        var used = TokensPerReply;
        var head = new List<ChatMessage>(2);
        if (systemPrompt.Length > 0)
        {
            head.Add(ChatMessage.System(systemPrompt));
            used += TokensPerMessage + countTokens(systemPrompt);
        }

        if (!string.IsNullOrEmpty(summary))
        {
            var text = SummaryText(summary);
            head.Add(ChatMessage.System(text));
            used += TokensPerMessage + countTokens(text);
        }

        var picked = new List<ChatMessage>();
        for (var i = turns.Count - 1; i >= 0; i--)
        {
            var message = ToMessage(turns[i], attributeSpeakers);
            var cost = TokensPerMessage + (turns[i].Tokens ?? countTokens(message.Text));
            if (used + cost > budget)
            {
                if (i == turns.Count - 1)
                {
                    return null;
                }

                break;
            }

            used += cost;
            picked.Add(message);
        }

        // A window that would open on a reply without its question drops that reply too: strict chat templates
        // (Mistral, Llama 2) want the dialogue to start with a user turn.
        while (picked.Count > 1 && picked[^1].Role == ChatRoles.Assistant)
        {
            used -= TokensPerMessage + countTokens(picked[^1].Text);
            picked.RemoveAt(picked.Count - 1);
        }

        picked.Reverse();
        return new WindowedPrompt([.. head, .. picked], used, picked.Count, turns.Count - picked.Count);
    }

    /// <summary>Tokens of a system-side text (the system prompt, a summary) as the window counts it, framing included.</summary>
    public static int MessageCost(string text, Func<string, int> countTokens)
    {
        ArgumentNullException.ThrowIfNull(countTokens);
        return TokensPerMessage + countTokens(text);
    }

    /// <summary>The text of the summary message shown after the system prompt.</summary>
    public static string SummaryText(string summary) => "Summary of the earlier conversation: " + summary;

    /// <summary>How a stored turn is shown to the model.</summary>
    public static ChatMessage ToMessage(DialogueTurn turn, bool attributeSpeakers)
    {
        ArgumentNullException.ThrowIfNull(turn);
        // Every message shows the same stored turns again: each turn's message is made once (turns never change).
        var shown = Shown.GetValue(turn, static _ => new ShownAs());
        var cached = attributeSpeakers ? shown.Attributed : shown.Plain;
        if (cached is null)
        {
            cached = Make(turn, attributeSpeakers);
            if (attributeSpeakers)
            {
                shown.Attributed = cached;
            }
            else
            {
                shown.Plain = cached;
            }
        }

        return cached;
    }

    private static readonly ConditionalWeakTable<DialogueTurn, ShownAs> Shown = new();

    private static ChatMessage Make(DialogueTurn turn, bool attributeSpeakers)
    {
        if (turn.Role == DialogueTurn.AssistantRole)
        {
            return ChatMessage.Assistant(turn.Text);
        }

        var text = EmoteMarkup.ForModel(turn.Text, turn.Emotes);
        return ChatMessage.User(attributeSpeakers ? $"{turn.Speaker}: {text}" : text);
    }

    /// <summary>A turn's message with and without attribution (a reference write is atomic: a race makes it twice, no harm).</summary>
    private sealed class ShownAs
    {
        public ChatMessage? Plain { get; set; }

        public ChatMessage? Attributed { get; set; }
    }
}
