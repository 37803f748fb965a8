using System.Text;

namespace Switchboard.Conversations.Dialogue;

/// <summary>
/// Shows emotes to the model as <c>:Name:</c> tokens, so it can tell an emote from a word, and turns the tokens it
/// echoes back into the emote names. Stored history always keeps the user's own text.
/// </summary>
public static class EmoteMarkup
{
    /// <summary>Wraps each whole-word occurrence of an emote name in colons.</summary>
    public static string ForModel(string text, IReadOnlyList<string> emotes)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (emotes is null || emotes.Count == 0)
        {
            return text;
        }

        var result = new StringBuilder(text.Length + 8);
        var i = 0;
        while (i < text.Length)
        {
            var matched = MatchAt(text, i, emotes);
            if (matched is not null && IsBoundary(text, i - 1) && IsBoundary(text, i + matched.Length))
            {
                result.Append(':').Append(matched).Append(':');
                i += matched.Length;
                continue;
            }

            result.Append(text[i]);
            i++;
        }

        return result.ToString();
    }

    /// <summary>Turns <c>:Name:</c> tokens of known emotes in a reply back into the bare names.</summary>
    public static string FromModel(string reply, IEnumerable<string> knownEmotes)
    {
        ArgumentNullException.ThrowIfNull(reply);
        foreach (var emote in knownEmotes)
        {
            reply = reply.Replace($":{emote}:", emote, StringComparison.Ordinal);
        }

        return reply;
    }

    private static string? MatchAt(string text, int index, IReadOnlyList<string> emotes)
    {
        string? best = null;
        foreach (var emote in emotes)
        {
            if (emote.Length > 0 && string.CompareOrdinal(text, index, emote, 0, emote.Length) == 0 && (best is null || emote.Length > best.Length))
            {
                best = emote;
            }
        }

        return best;
    }

    private static bool IsBoundary(string text, int index) =>
        index < 0 || index >= text.Length || !(char.IsLetterOrDigit(text[index]) || text[index] is '_' or ':');
}
