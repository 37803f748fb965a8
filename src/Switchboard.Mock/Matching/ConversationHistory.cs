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

    /// <summary>
    /// The same as <see cref="TryExtract(ReadOnlySpan{char})"/> on the text of a JSON string, given as its contents
    /// still escaped (between the quotes, decoded from UTF-8, with no <c>\u</c> escape): a Rasa prompt is found by
    /// the block near its end, so only the heading lines met and the block are unescaped, not kilobytes of prompt.
    /// </summary>
    /// <remarks>
    /// The heading is found in the escaped text where it is in the text: it holds no backslash, starts with a letter
    /// no escape ends with, and no escaped character (quote, backslash, slash, control) equals one of its letters or
    /// its space ignoring case. Lines end at the <c>\n</c> escapes that are escapes (after an even run of backslashes).
    /// </remarks>
    internal static IReadOnlyList<HistoryTurn>? TryExtractEscaped(ReadOnlySpan<char> escaped)
    {
        var first = -1;
        var position = 0;
        var start = -1;
        while (position < escaped.Length)
        {
            var found = escaped[position..].IndexOfAny(HeadingSearch);
            if (found < 0)
            {
                break;
            }

            var at = position + found;
            var lineStart = EscapedLineStart(escaped, at);
            var lineEnd = EscapedLineEnd(escaped, at);
            var next = lineEnd < escaped.Length ? lineEnd + 2 : escaped.Length;
            var bare = Unescape(escaped[lineStart..lineEnd]).AsSpan().Trim().TrimStart('#').TrimEnd(':').Trim();
            if (bare.Equals(Heading, StringComparison.OrdinalIgnoreCase))
            {
                start = next;
                break;
            }

            if (first < 0)
            {
                first = next;
            }

            position = next;
        }

        start = start < 0 ? first : start;
        if (start < 0)
        {
            return null;
        }

        var rest = Unescape(escaped[start..]);
        var end = FindSeparator(rest, 0);
        return Parse(end < 0 ? rest : rest[..end]);
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

    // Where the line holding `at` starts in escaped text: just past the last \n escape before it, or 0.
    private static int EscapedLineStart(ReadOnlySpan<char> escaped, int at)
    {
        var limit = at;
        while (true)
        {
            var found = escaped[..limit].LastIndexOf("\\n");
            if (found < 0)
            {
                return 0;
            }

            if (IsEscape(escaped, found))
            {
                return found + 2;
            }

            limit = found;
        }
    }

    // Where the line holding `at` ends in escaped text: at the next \n escape, or the end.
    private static int EscapedLineEnd(ReadOnlySpan<char> escaped, int at)
    {
        var position = at;
        while (true)
        {
            var found = escaped[position..].IndexOf("\\n");
            if (found < 0)
            {
                return escaped.Length;
            }

            if (IsEscape(escaped, position + found))
            {
                return position + found;
            }

            position += found + 1;
        }
    }

    // Whether the backslash at `at` starts an escape: it does after an even run of backslashes (each pair is one \\).
    private static bool IsEscape(ReadOnlySpan<char> escaped, int at)
    {
        var run = at;
        while (run > 0 && escaped[run - 1] == '\\')
        {
            run--;
        }

        return ((at - run) & 1) == 0;
    }

    // The text of escaped JSON string contents without \u escapes.
    private static string Unescape(ReadOnlySpan<char> escaped)
    {
        if (!escaped.Contains('\\'))
        {
            return escaped.ToString();
        }

        var buffer = escaped.Length <= 256 ? stackalloc char[escaped.Length] : new char[escaped.Length];
        var written = 0;
        for (var i = 0; i < escaped.Length; i++)
        {
            var c = escaped[i];
            if (c == '\\')
            {
                c = escaped[++i] switch
                {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'b' => '\b',
                    'f' => '\f',
                    var other => other,
                };
            }

            buffer[written++] = c;
        }

        return new string(buffer[..written]);
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
