using System.Buffers;
using Switchboard.Mock.Text;

namespace Switchboard.Mock.Matching;

/// <summary>
/// Finds and parses the "Conversation History" block that prompt-based dialogue systems (Rasa's command
/// generator among them) write into a prompt: a heading line containing <c>Conversation History</c>,
/// then <c>USER: ...</c> / <c>AI: ...</c> lines, ended by a line <c>---</c> (or the end of the text).
/// A line that does not start with a speaker continues the turn before it.
/// </summary>
public static class ConversationHistory
{
    private const string Heading = "Conversation History";

    private static readonly string[] Speakers = ["USER", "AI", "ASSISTANT", "BOT", "HUMAN", "SYSTEM"];

    private static readonly string[] NormalizedSpeakers = [.. Speakers.Select(NormalizeSpeaker)];

    // A vectorized case-insensitive search: the heading is near the end of a Rasa prompt of several kilobytes.
    private static readonly SearchValues<string> HeadingSearch = SearchValues.Create([Heading], StringComparison.OrdinalIgnoreCase);

    /// <summary>The turns of the first history block in <paramref name="prompt"/>, or null when it has none.</summary>
    public static IReadOnlyList<HistoryTurn>? TryExtract(string? prompt) => TryExtract(prompt.AsSpan());

    /// <summary>The turns of the first history block in <paramref name="prompt"/>, or null when it has none.</summary>
    public static IReadOnlyList<HistoryTurn>? TryExtract(ReadOnlySpan<char> prompt)
    {
        if (prompt.IsEmpty)
        {
            return null;
        }

        var lineEnd = FindHeadingLineEnd(prompt);
        if (lineEnd < 0)
        {
            return null;
        }

        // Only the block itself is cut out of the prompt (which can be many kilobytes around it).
        var start = Math.Min(lineEnd + 1, prompt.Length);
        var end = FindSeparator(prompt, start);
        return Parse(prompt[start..(end < 0 ? prompt.Length : end)].ToString());
    }

    /// <summary>Parses history lines (<c>USER: hi</c> / <c>AI: hello</c>), as written in a fixture or a prompt.</summary>
    public static IReadOnlyList<HistoryTurn> Parse(string block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var turns = new List<HistoryTurn>();
        foreach (var rawLine in block.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (TrySplitSpeaker(line, out var speaker, out var text))
            {
                turns.Add(new HistoryTurn(speaker, TextNormalizer.Normalize(text)));
            }
            else if (turns.Count > 0)
            {
                var last = turns[^1];
                turns[^1] = last with { Text = TextNormalizer.Normalize(last.Text + " " + line) };
            }
            else
            {
                turns.Add(new HistoryTurn(string.Empty, TextNormalizer.Normalize(line)));
            }
        }

        return turns;
    }

    /// <summary>A canonical string of the turns: equal turns give equal keys.</summary>
    public static string ToKey(IReadOnlyList<HistoryTurn> turns)
    {
        ArgumentNullException.ThrowIfNull(turns);
        return string.Join('\u001E', turns.Select(t => t.Speaker + '\u001F' + t.Text));
    }

    /// <summary>Upper-cases a speaker name and maps its synonyms (<c>assistant</c>, <c>bot</c>) to <c>AI</c>.</summary>
    public static string NormalizeSpeaker(string speaker)
    {
        ArgumentNullException.ThrowIfNull(speaker);
        var upper = speaker.Trim().ToUpperInvariant();
        return upper is "ASSISTANT" or "BOT" ? "AI" : upper is "HUMAN" ? "USER" : upper;
    }

    private static bool TrySplitSpeaker(string line, out string speaker, out string text)
    {
        for (var i = 0; i < Speakers.Length; i++)
        {
            var candidate = Speakers[i];
            if (line.Length > candidate.Length
                && line[candidate.Length] == ':'
                && line.StartsWith(candidate, StringComparison.OrdinalIgnoreCase))
            {
                speaker = NormalizedSpeakers[i];
                text = line[(candidate.Length + 1)..];
                return true;
            }
        }

        speaker = string.Empty;
        text = line;
        return false;
    }

    // Prefers a line that is only the heading ("## Conversation History", "Conversation History:"), so a
    // prompt that mentions the words earlier in a sentence still finds the real block. Searches the whole
    // text at once (vectorized) and looks only at the lines where the words occur.
    private static int FindHeadingLineEnd(ReadOnlySpan<char> prompt)
    {
        var first = -1;
        var position = 0;
        while (position < prompt.Length)
        {
            var found = prompt[position..].IndexOfAny(HeadingSearch);
            if (found < 0)
            {
                break;
            }

            var at = position + found;

            var lineStart = at == 0 ? 0 : prompt[..at].LastIndexOf('\n') + 1;
            var next = prompt[at..].IndexOf('\n');
            var end = next < 0 ? prompt.Length : at + next;
            var bare = prompt.Slice(lineStart, end - lineStart).Trim().TrimStart('#').TrimEnd(':').Trim();
            if (bare.Equals(Heading, StringComparison.OrdinalIgnoreCase))
            {
                return end;
            }

            if (first < 0)
            {
                first = end;
            }

            position = end + 1;
        }

        return first;
    }

    // The start of the first line from `from` on that is only "---", or -1.
    private static int FindSeparator(ReadOnlySpan<char> text, int from)
    {
        var position = from;
        while (position < text.Length)
        {
            var next = text[position..].IndexOf('\n');
            next = next < 0 ? -1 : position + next;
            var line = next < 0 ? text[position..] : text[position..next];
            if (line.Trim().SequenceEqual("---"))
            {
                return position;
            }

            if (next < 0)
            {
                break;
            }

            position = next + 1;
        }

        return -1;
    }
}
