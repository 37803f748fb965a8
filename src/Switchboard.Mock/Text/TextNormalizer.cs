using System.Text;

namespace Switchboard.Mock.Text;

/// <summary>
/// Puts text into the form matching compares: line endings unified, runs of white space (including
/// non-breaking and other Unicode spaces) collapsed to one space, trimmed. Quotes and non-ASCII letters
/// are left alone: they arrive already unescaped because requests and fixtures are parsed as JSON or YAML.
/// </summary>
public static class TextNormalizer
{
    public static string Normalize(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        if (!NeedsWork(text))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || c == '\u200B' || c == '\uFEFF')
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    private static bool NeedsWork(string text)
    {
        if (char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1]))
        {
            return true;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == ' ')
            {
                if (i + 1 < text.Length && char.IsWhiteSpace(text[i + 1]))
                {
                    return true;
                }
            }
            else if (char.IsWhiteSpace(c) || c == '\u200B' || c == '\uFEFF')
            {
                return true;
            }
        }

        return false;
    }

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
