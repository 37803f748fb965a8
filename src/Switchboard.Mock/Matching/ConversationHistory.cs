using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
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
    /// <summary>Between two turns (or two messages) in a key: <see cref="ToKey"/>, <c>WriteKey</c> and the conversation keys.</summary>
    internal const char KeyTurnSeparator = '\u001E';

    /// <summary>Between a turn's speaker (or a message's role) and its text in a key.</summary>
    internal const char KeySpeakerSeparator = '\u001F';

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

        var length = FindBlock(prompt, out var start);
        // Only the block itself is cut out of the prompt (which can be many kilobytes around it).
        return length < 0 ? null : Parse(prompt.Slice(start, length).ToString());
    }

    /// <summary>
    /// Where the first history block in <paramref name="prompt"/> lies (the lines after its heading, up to a <c>---</c>
    /// line or the end): its length, with its start in <paramref name="start"/>, or -1 when the prompt has none.
    /// </summary>
    internal static int FindBlock(ReadOnlySpan<char> prompt, out int start)
    {
        start = 0;
        var lineEnd = prompt.IsEmpty ? -1 : FindHeadingLineEnd(prompt);
        if (lineEnd < 0)
        {
            return -1;
        }

        start = Math.Min(lineEnd + 1, prompt.Length);
        var end = FindSeparator(prompt, start);
        return (end < 0 ? prompt.Length : end) - start;
    }

    /// <summary>
    /// The same as <see cref="TryExtract(ReadOnlySpan{char})"/> on the text of a JSON string, given as its contents
    /// still escaped (the UTF-8 bytes between the quotes, with no <c>\u</c> escape): a Rasa prompt is found by the
    /// block near its end, so only the heading lines met and the block are unescaped and decoded, not kilobytes of
    /// prompt.
    /// </summary>
    /// <remarks>
    /// The heading is found in the escaped bytes where it is in the text: it is ASCII and holds no backslash, starts
    /// with a letter no escape ends with, and no escaped character (quote, backslash, slash, control) equals one of its
    /// letters or its space ignoring case; no other character equals an ASCII letter ignoring case either, and UTF-8
    /// writes every non-ASCII character with bytes of 0x80 and above. Lines end at the <c>\n</c> escapes that are
    /// escapes (after an even run of backslashes).
    /// </remarks>
    internal static IReadOnlyList<HistoryTurn>? TryExtractEscaped(ReadOnlySpan<byte> escaped)
    {
        // The rest of the text, unescaped and decoded into pooled buffers: only the turns become strings.
        var chars = ArrayPool<char>.Shared.Rent(escaped.Length);
        try
        {
            var length = DecodeEscapedBlock(escaped, chars);
            return length < 0 ? null : Parse(chars.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>
    /// The first history block of the text of a JSON string given as its escaped contents (as for
    /// <see cref="TryExtractEscaped"/>), unescaped and decoded into the start of <paramref name="block"/> (at least as
    /// long as <paramref name="escaped"/>): its length, or -1 when the text has none.
    /// </summary>
    internal static int DecodeEscapedBlock(ReadOnlySpan<byte> escaped, Span<char> block)
    {
        var first = -1;
        var position = 0;
        var start = -1;
        while (position < escaped.Length)
        {
            var found = IndexOfHeading(escaped[position..]);
            if (found < 0)
            {
                break;
            }

            var at = position + found;
            var lineStart = EscapedLineStart(escaped, at);
            var lineEnd = EscapedLineEnd(escaped, at);
            var next = lineEnd < escaped.Length ? lineEnd + 2 : escaped.Length;
            if (IsHeadingLine(escaped[lineStart..lineEnd]))
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
            return -1;
        }

        var rest = escaped[start..];
        var bytes = ArrayPool<byte>.Shared.Rent(rest.Length);
        try
        {
            var text = block[..Encoding.UTF8.GetChars(bytes.AsSpan(0, ChatBodyScan.Unescape(rest, bytes)), block)];
            var end = FindSeparator(text, 0);
            return end < 0 ? text.Length : end;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>
    /// Writes <c>ToKey(Parse(block))</c> into <paramref name="key"/> without making the turns: what an index of keys
    /// is looked up by. <paramref name="key"/> must be at least <c>block.Length + 1</c> long (a key is never longer: a
    /// turn's separators take the place of a line end or a speaker's colon, a speaker is never longer than written,
    /// white space only shrinks; only a first line without a speaker gains one separator). Returns the key's length.
    /// </summary>
    internal static int WriteKey(ReadOnlySpan<char> block, Span<char> key)
    {
        // A turn's text is its lines' texts normalized as one: the words of them all (runs of anything but white
        // space), one space between each two, exactly what normalizing each joined line in turn gives.
        var length = 0;
        var turns = 0;
        var wrote = false;
        foreach (var range in block.Split('\n'))
        {
            var line = block[range].Trim();
            if (line.IsEmpty)
            {
                continue;
            }

            ReadOnlySpan<char> text;
            if (TrySplitSpeaker(line, out var speaker, out text) || turns == 0)
            {
                if (turns++ > 0)
                {
                    key[length++] = KeyTurnSeparator;
                }

                speaker.CopyTo(key[length..]);
                length += speaker.Length;
                key[length++] = KeySpeakerSeparator;
                wrote = false;
            }

            length += TextNormalizer.WriteWords(text, key[length..], ref wrote);
        }

        return length;
    }

    /// <summary>Parses history lines (<c>USER: hi</c> / <c>AI: hello</c>), as written in a fixture or a prompt.</summary>
    public static IReadOnlyList<HistoryTurn> Parse(string block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return Parse(block.AsSpan());
    }

    /// <summary>Parses history lines given as text that is not a string yet.</summary>
    internal static List<HistoryTurn> Parse(ReadOnlySpan<char> block)
    {
        var turns = new List<HistoryTurn>();
        foreach (var range in block.Split('\n'))
        {
            var line = block[range].Trim();
            if (line.IsEmpty)
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
                turns[^1] = last with { Text = TextNormalizer.Normalize(string.Concat(last.Text, " ", line)) };
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
        // string.Join(KeyTurnSeparator, turns.Select(t => t.Speaker + KeySpeakerSeparator + t.Text)), written at once into one string.
        var length = Math.Max(0, turns.Count - 1);
        foreach (var turn in turns)
        {
            length += turn.Speaker.Length + 1 + turn.Text.Length;
        }

        return string.Create(length, turns, static (key, turns) =>
        {
            var at = 0;
            for (var i = 0; i < turns.Count; i++)
            {
                if (i > 0)
                {
                    key[at++] = KeyTurnSeparator;
                }

                turns[i].Speaker.CopyTo(key[at..]);
                at += turns[i].Speaker.Length;
                key[at++] = KeySpeakerSeparator;
                turns[i].Text.CopyTo(key[at..]);
                at += turns[i].Text.Length;
            }
        });
    }

    /// <summary>Upper-cases a speaker name and maps its synonyms (<c>assistant</c>, <c>bot</c>) to <c>AI</c>.</summary>
    public static string NormalizeSpeaker(string speaker)
    {
        ArgumentNullException.ThrowIfNull(speaker);
        var upper = speaker.Trim().ToUpperInvariant();
        return upper is "ASSISTANT" or "BOT" ? "AI" : upper is "HUMAN" ? "USER" : upper;
    }

    private static bool TrySplitSpeaker(ReadOnlySpan<char> line, out string speaker, out ReadOnlySpan<char> text)
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

    // Where the first "conversation history" (ASCII letters in any case) starts in `text`, or -1. Vectorized on the
    // first and last letters, each byte folded to lower case (x | 0x20 is 'c' only for 'C' and 'c', 'y' only for 'Y' and 'y').
    private static int IndexOfHeading(ReadOnlySpan<byte> text)
    {
        var heading = "conversation history"u8;
        var last = heading.Length - 1;
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var start = ref MemoryMarshal.GetReference(text);
            var fold = Vector256.Create((byte)0x20);
            var c = Vector256.Create((byte)'c');
            var y = Vector256.Create((byte)'y');
            for (; i + last + Vector256<byte>.Count <= text.Length; i += Vector256<byte>.Count)
            {
                var firsts = Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)i) | fold, c);
                var lasts = Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)(i + last)) | fold, y);
                for (var mask = (firsts & lasts).ExtractMostSignificantBits(); mask != 0; mask &= mask - 1)
                {
                    var at = i + BitOperations.TrailingZeroCount(mask);
                    if (Ascii.EqualsIgnoreCase(text.Slice(at, heading.Length), heading))
                    {
                        return at;
                    }
                }
            }
        }

        for (; i + last < text.Length; i++)
        {
            if ((text[i] | 0x20) == 'c' && (text[i + last] | 0x20) == 'y' && Ascii.EqualsIgnoreCase(text.Slice(i, heading.Length), heading))
            {
                return i;
            }
        }

        return -1;
    }

    // Where the line holding `at` starts in escaped text: just past the last \n escape before it, or 0.
    private static int EscapedLineStart(ReadOnlySpan<byte> escaped, int at)
    {
        var limit = at;
        while (true)
        {
            var found = escaped[..limit].LastIndexOf("\\n"u8);
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
    private static int EscapedLineEnd(ReadOnlySpan<byte> escaped, int at)
    {
        var position = at;
        while (true)
        {
            var found = escaped[position..].IndexOf("\\n"u8);
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
    private static bool IsEscape(ReadOnlySpan<byte> escaped, int at)
    {
        var run = at;
        while (run > 0 && escaped[run - 1] == (byte)'\\')
        {
            run--;
        }

        return ((at - run) & 1) == 0;
    }

    // Whether an escaped line (UTF-8, no \u escapes) is only the heading: "## Conversation History", "Conversation History:".
    private static bool IsHeadingLine(ReadOnlySpan<byte> escaped)
    {
        var rentedBytes = escaped.Length <= 256 ? null : ArrayPool<byte>.Shared.Rent(escaped.Length);
        var rentedChars = escaped.Length <= 256 ? null : ArrayPool<char>.Shared.Rent(escaped.Length);
        var bytes = rentedBytes ?? stackalloc byte[escaped.Length];
        var chars = rentedChars ?? stackalloc char[escaped.Length];
        var line = chars[..Encoding.UTF8.GetChars(bytes[..ChatBodyScan.Unescape(escaped, bytes)], chars)];
        var isHeading = line.Trim().TrimStart('#').TrimEnd(':').Trim().Equals(Heading, StringComparison.OrdinalIgnoreCase);
        if (rentedBytes is not null)
        {
            ArrayPool<byte>.Shared.Return(rentedBytes);
            ArrayPool<char>.Shared.Return(rentedChars!);
        }

        return isHeading;
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
