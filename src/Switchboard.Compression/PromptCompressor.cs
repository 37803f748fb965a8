using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Switchboard.Compression;

/// <summary>
/// Saves prompt tokens deterministically: the same prompt always compresses to the same text. Code blocks, inline
/// code, quoted strings and tool results are never changed; numbers, names (capitalised words) and JSON values
/// survive every transformation, which only removes whitespace, markup and filler words or shortens lowercase words.
/// Thread-safe; one instance serves every request.
/// </summary>
public sealed partial class PromptCompressor
{
    private const string RepeatedMarker = "[repeated paragraph omitted: same as earlier]";

    private static readonly (Regex Pattern, string Replacement)[] Fillers =
    [
        (Filler("please note that "), string.Empty),
        (Filler("it is important to note that "), string.Empty),
        (Filler("it should be noted that "), string.Empty),
        (Filler("it is worth noting that "), string.Empty),
        (Filler("as a matter of fact, "), string.Empty),
        (Filler("needless to say, "), string.Empty),
        (Filler("due to the fact that "), "because "),
        (Filler("in order to "), "to "),
        (Filler("for the purpose of "), "for "),
        (Filler("in the event that "), "if "),
        (Filler("at this point in time"), "now"),
        (Filler("a large number of "), "many "),
        (Filler("with regard to "), "about "),
        (Filler("with respect to "), "about "),
        (Filler("is able to "), "can "),
        (Filler("are able to "), "can "),
        (Filler("in spite of the fact that "), "although "),
    ];

    private readonly PromptCompressionOptions _options;
    private readonly Func<string, int> _countTokens;

    /// <summary>Creates a compressor that counts tokens with <paramref name="countTokens"/> (the model's encoding).</summary>
    public PromptCompressor(PromptCompressionOptions options, Func<string, int> countTokens)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _countTokens = countTokens ?? throw new ArgumentNullException(nameof(countTokens));
    }

    /// <summary>Compresses a prompt. When nothing is saved, the texts come back unchanged.</summary>
    public CompressedPrompt Compress(IReadOnlyList<PromptPart> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var original = 0;
        foreach (var part in parts)
        {
            original += _countTokens(part.Text);
        }

        var texts = new string[parts.Count];
        var seenParagraphs = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            texts[i] = IsProtectedRole(part.Role) ? part.Text : CompressText(part.Text, seenParagraphs);
        }

        string? legend = null;
        if (_options.Abbreviations)
        {
            (texts, legend) = Abbreviate(parts, texts);
        }

        var compressed = CountAll(texts) + (legend is null ? 0 : _countTokens(legend));
        return compressed < original
            ? new CompressedPrompt(texts, legend, original, compressed)
            : new CompressedPrompt([.. parts.Select(p => p.Text)], null, original, original);
    }

    private static bool IsProtectedRole(string role) => role is "tool" or "function";

    private string CompressText(string text, HashSet<string> seenParagraphs)
    {
        if (_options.RepeatedParagraphs || _options.MinifyJson)
        {
            text = CompressParagraphs(text, seenParagraphs);
        }

        var result = new StringBuilder(text.Length);
        foreach (var segment in Segments(text))
        {
            result.Append(segment.Protected ? ProtectedSegment(segment.Text) : FreeText(segment.Text));
        }

        var compressed = result.ToString();
        if (_options.Whitespace)
        {
            compressed = ExtraBlankLines().Replace(compressed, "\n\n").Trim('\n');
        }

        return compressed;
    }

    /// <summary>
    /// Whole-paragraph steps, before the text is split around quotes: a paragraph repeated from an earlier message is
    /// replaced, a paragraph that is valid JSON is minified. Paragraphs inside code fences are left alone.
    /// </summary>
    private string CompressParagraphs(string text, HashSet<string> seen)
    {
        var fences = ProtectedSpan().Matches(text).Where(m => m.Value.StartsWith("```", StringComparison.Ordinal) || m.Value.StartsWith("~~~", StringComparison.Ordinal)).ToArray();
        var result = new StringBuilder(text.Length);
        var start = 0;
        while (start <= text.Length)
        {
            var end = text.IndexOf("\n\n", start, StringComparison.Ordinal);
            if (end < 0)
            {
                end = text.Length;
            }

            var paragraph = text[start..end];
            if (!fences.Any(f => f.Index < end && start < f.Index + f.Length))
            {
                paragraph = CompressParagraph(paragraph, seen);
            }

            result.Append(paragraph);
            if (end == text.Length)
            {
                break;
            }

            result.Append("\n\n");
            start = end + 2;
        }

        return result.ToString();
    }

    private string CompressParagraph(string paragraph, HashSet<string> seen)
    {
        if (_options.RepeatedParagraphs && paragraph.Length >= _options.MinimumRepeatedParagraph && !seen.Add(paragraph))
        {
            return RepeatedMarker;
        }

        var trimmed = paragraph.AsSpan().TrimStart();
        return _options.MinifyJson && trimmed.Length > 0 && trimmed[0] is '{' or '[' && TryMinifyJson(paragraph, out var minified) ? minified : paragraph;
    }

    private string ProtectedSegment(string segment)
    {
        if (!_options.MinifyJson || !segment.StartsWith("```json", StringComparison.OrdinalIgnoreCase))
        {
            return segment;
        }

        var bodyStart = segment.IndexOf('\n');
        var bodyEnd = segment.LastIndexOf("```", StringComparison.Ordinal);
        if (bodyStart < 0 || bodyEnd <= bodyStart)
        {
            return segment;
        }

        var body = segment[(bodyStart + 1)..bodyEnd];
        return TryMinifyJson(body, out var minified) ? $"{segment[..(bodyStart + 1)]}{minified}\n```" : segment;
    }

    private string FreeText(string text)
    {
        if (_options.Markup)
        {
            text = HtmlComment().Replace(text, string.Empty);
            text = HorizontalRule().Replace(text, string.Empty);
        }

        if (_options.Whitespace)
        {
            text = TrailingSpaces().Replace(text, string.Empty);
            text = InnerSpaceRun().Replace(text, "$1 ");
        }

        if (_options.Fillers)
        {
            foreach (var (pattern, replacement) in Fillers)
            {
                text = pattern.Replace(text, m => KeepCapital(m, replacement));
            }
        }

        return text;
    }

    private (string[] Texts, string? Legend) Abbreviate(IReadOnlyList<PromptPart> parts, string[] texts)
    {
        var uses = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < texts.Length; i++)
        {
            if (IsProtectedRole(parts[i].Role))
            {
                continue;
            }

            foreach (var segment in Segments(texts[i]).Where(s => !s.Protected))
            {
                foreach (Match word in LowercaseWord().Matches(segment.Text))
                {
                    if (_options.AbbreviationTable.ContainsKey(word.Value))
                    {
                        uses[word.Value] = uses.GetValueOrDefault(word.Value) + 1;
                    }
                }
            }
        }

        // Most common words are one token already: only words whose short form saves more than its legend entry costs.
        var chosen = uses
            .Where(u => u.Value >= _options.MinimumAbbreviationUses && Benefit(u.Key, _options.AbbreviationTable[u.Key], u.Value) > 0)
            .Select(u => u.Key)
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (chosen.Length == 0)
        {
            return (texts, null);
        }

        var abbreviated = new string[texts.Length];
        for (var i = 0; i < texts.Length; i++)
        {
            if (IsProtectedRole(parts[i].Role))
            {
                abbreviated[i] = texts[i];
                continue;
            }

            var result = new StringBuilder(texts[i].Length);
            foreach (var segment in Segments(texts[i]))
            {
                result.Append(segment.Protected
                    ? segment.Text
                    : LowercaseWord().Replace(segment.Text, m => chosen.Contains(m.Value) ? _options.AbbreviationTable[m.Value] : m.Value));
            }

            abbreviated[i] = result.ToString();
        }

        var legend = "Abbreviations used below: " + string.Join("; ", chosen.Select(w => $"{_options.AbbreviationTable[w]} = {w}")) + ".";
        return CountAll(abbreviated) + _countTokens(legend) < CountAll(texts) ? (abbreviated, legend) : (texts, null);
    }

    private int Benefit(string word, string shortForm, int uses) =>
        (uses * (_countTokens(" " + word) - _countTokens(" " + shortForm))) - _countTokens($"; {shortForm} = {word}");

    private int CountAll(IEnumerable<string> texts)
    {
        var total = 0;
        foreach (var text in texts)
        {
            total += _countTokens(text);
        }

        return total;
    }

    /// <summary>Splits text into free text and protected spans (code fences, inline code, quoted strings), in order.</summary>
    internal static IEnumerable<(string Text, bool Protected)> Segments(string text)
    {
        var at = 0;
        foreach (Match match in ProtectedSpan().Matches(text))
        {
            if (match.Index > at)
            {
                yield return (text[at..match.Index], false);
            }

            yield return (match.Value, true);
            at = match.Index + match.Length;
        }

        if (at < text.Length)
        {
            yield return (text[at..], false);
        }
    }

    /// <summary>Removes whitespace outside strings from valid JSON; every value stays exactly as written.</summary>
    internal static bool TryMinifyJson(string json, out string minified)
    {
        minified = json;
        try
        {
            using var _ = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return false;
        }

        var result = new StringBuilder(json.Length);
        var inString = false;
        var escaped = false;
        foreach (var c in json)
        {
            if (inString)
            {
                result.Append(c);
                escaped = !escaped && c == '\\';
                inString = escaped || c != '"';
                continue;
            }

            if (c == '"')
            {
                inString = true;
                result.Append(c);
            }
            else if (!char.IsWhiteSpace(c))
            {
                result.Append(c);
            }
        }

        minified = result.ToString();
        return minified.Length < json.Length;
    }

    /// <summary>A filler that opened a sentence leaves the sentence capitalised: the replacement, or the next letter.</summary>
    private static string KeepCapital(Match match, string replacement)
    {
        var next = match.Groups["next"].Value;
        if (!char.IsUpper(match.Value[0]))
        {
            return replacement + next;
        }

        return replacement.Length > 0
            ? char.ToUpperInvariant(replacement[0]) + replacement[1..] + next
            : next.ToUpperInvariant();
    }

    private static Regex Filler(string phrase) =>
        new($@"\b{Regex.Escape(phrase).Replace("\\ ", "[ \\t]+", StringComparison.Ordinal)}(?<next>\p{{Ll}})?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    [GeneratedRegex(@"^(?:```|~~~)[^\n]*\n.*?(?:^(?:```|~~~)[ \t]*$|\z)|`[^`\n]+`|""[^""\n]{0,1000}""|“[^”\n]{0,1000}”", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex ProtectedSpan();

    [GeneratedRegex(@"<!--.*?-->", RegexOptions.Singleline)]
    private static partial Regex HtmlComment();

    [GeneratedRegex(@"^[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*(?:\n|\z)", RegexOptions.Multiline)]
    private static partial Regex HorizontalRule();

    [GeneratedRegex(@"[ \t]+$", RegexOptions.Multiline)]
    private static partial Regex TrailingSpaces();

    [GeneratedRegex(@"(\S)[ \t]{2,}")]
    private static partial Regex InnerSpaceRun();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex ExtraBlankLines();

    [GeneratedRegex(@"\b[a-z]{4,}\b")]
    private static partial Regex LowercaseWord();
}
