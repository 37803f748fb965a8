using System.Buffers;

namespace Switchboard.Mock.Text;

/// <summary>
/// Puts text into the form matching compares: line endings unified, runs of white space (including
/// non-breaking and other Unicode spaces) collapsed to one space, trimmed. Quotes and non-ASCII letters
/// are left alone: they arrive already unescaped because requests and fixtures are parsed as JSON or YAML.
/// </summary>
public static class TextNormalizer
{
    // Every character that counts as white space but the plain space: what a text already normalized inside lacks.
    private static readonly SearchValues<char> OtherSpaces = SearchValues.Create(
        [.. Enumerable.Range(0, char.MaxValue + 1).Select(c => (char)c).Where(c => c != ' ' && IsSpace(c))]);

    public static string Normalize(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var (start, end, collapse) = Measure(text);
        return collapse ? Collapse(text.AsSpan(start, end - start))
            : start == 0 && end == text.Length ? text
            : text[start..end];
    }

    /// <summary>The same as <see cref="Normalize(string?)"/> on text that is not a string yet: one string is made.</summary>
    public static string Normalize(ReadOnlySpan<char> text)
    {
        var (start, end, collapse) = Measure(text);
        return collapse ? Collapse(text[start..end]) : new string(text[start..end]);
    }

    // Most texts need at most a trim: find the first and last non-space (`end` is past it) and whether anything between
    // them is other than single plain spaces; only then is the text rebuilt.
    private static (int Start, int End, bool Collapse) Measure(ReadOnlySpan<char> text)
    {
        var start = 0;
        while (start < text.Length && IsSpace(text[start]))
        {
            start++;
        }

        if (start == text.Length)
        {
            return (0, 0, false);
        }

        var end = text.Length - 1;
        while (IsSpace(text[end]))
        {
            end--;
        }

        for (var i = start + 1; i < end; i++)
        {
            var c = text[i];
            if (IsSpace(c) && (c != ' ' || IsSpace(text[i + 1])))
            {
                return (start, end + 1, true);
            }
        }

        return (start, end + 1, false);
    }

    // Runs of spaces inside `trimmed` (which starts and ends with a non-space) become one plain space.
    private static string Collapse(ReadOnlySpan<char> trimmed)
    {
        var rented = trimmed.Length <= 512 ? null : ArrayPool<char>.Shared.Rent(trimmed.Length);
        var buffer = rented is null ? stackalloc char[trimmed.Length] : rented.AsSpan(0, trimmed.Length);
        var wrote = false;
        var result = new string(buffer[..WriteWords(trimmed, buffer, ref wrote)]);
        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }

        return result;
    }

    /// <summary>
    /// Writes what normalizing gives, a piece at a time: the words of <paramref name="text"/> (its runs of anything but
    /// white space) into <paramref name="destination"/>, one space between each two, and one before the first when
    /// <paramref name="wrote"/> says that words came before (it is set once this text's are written). Returns the
    /// characters written, never more than the text's length plus one (the space before its first word).
    /// </summary>
    internal static int WriteWords(ReadOnlySpan<char> text, Span<char> destination, ref bool wrote)
    {
        var start = 0;
        while (start < text.Length && IsSpace(text[start]))
        {
            start++;
        }

        var end = text.Length;
        while (end > start && IsSpace(text[end - 1]))
        {
            end--;
        }

        if (start == end)
        {
            return 0;
        }

        var trimmed = text[start..end];
        var length = 0;
        if (wrote)
        {
            destination[length++] = ' ';
        }

        wrote = true;
        // Most text is already normalized inside (single plain spaces): copied at once, found so by vectorized searches.
        if (trimmed.IndexOfAny(OtherSpaces) < 0 && trimmed.IndexOf("  ", StringComparison.Ordinal) < 0)
        {
            trimmed.CopyTo(destination[length..]);
            return length + trimmed.Length;
        }

        var pendingSpace = false;
        foreach (var c in trimmed)
        {
            if (IsSpace(c))
            {
                pendingSpace = true;
                continue;
            }

            if (pendingSpace)
            {
                destination[length++] = ' ';
                pendingSpace = false;
            }

            destination[length++] = c;
        }

        return length;
    }

    private static bool IsSpace(char c) => char.IsWhiteSpace(c) || c == '\u200B' || c == '\uFEFF';

    /// <summary>Cuts text to at most <paramref name="max"/> characters for messages and logs, marking the cut.</summary>
    public static string Shorten(string? text, int max = 80)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        return text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");
    }
}
