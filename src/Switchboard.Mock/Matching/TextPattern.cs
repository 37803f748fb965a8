using System.Text.RegularExpressions;
using Switchboard.Mock.Text;
using Switchboard.Text;

namespace Switchboard.Mock.Matching;

/// <summary>
/// One text comparison (equals, contains, regex or glob, optionally ignoring case) with a score: 1 when the
/// text matches, less the further it is from matching, so near misses can be ranked.
/// </summary>
public sealed record TextPattern
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);
    private readonly Regex? _regex;
    private readonly GlobPattern? _glob;

    public TextPattern(TextComparison comparison, string pattern, bool ignoreCase = false)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        Comparison = comparison;
        IgnoreCase = ignoreCase;
        Pattern = comparison == TextComparison.Regex ? pattern : TextNormalizer.Normalize(pattern);
        var options = RegexOptions.CultureInvariant | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
        _regex = comparison switch
        {
            // Constructing the regex here surfaces a bad pattern when the fixture is loaded, not on the first request.
            TextComparison.Regex => new Regex(pattern, options | RegexOptions.Singleline, RegexTimeout),
            _ => null,
        };
        _glob = comparison == TextComparison.Glob ? new GlobPattern(Pattern, ignoreCase) : null;
    }

    public TextComparison Comparison { get; }

    /// <summary>The pattern; white space already normalized except for regular expressions.</summary>
    public string Pattern { get; }

    public bool IgnoreCase { get; }

    private StringComparison StringComparison => IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    public static TextPattern EqualTo(string text, bool ignoreCase = false) => new(TextComparison.Equals, text, ignoreCase);

    public static TextPattern Containing(string text, bool ignoreCase = false) => new(TextComparison.Contains, text, ignoreCase);

    public static TextPattern Matching(string regex, bool ignoreCase = false) => new(TextComparison.Regex, regex, ignoreCase);

    public static TextPattern Like(string glob, bool ignoreCase = false) => new(TextComparison.Glob, glob, ignoreCase);

    /// <summary>Whether <paramref name="normalizedText"/> (already passed through <see cref="TextNormalizer"/>) matches.</summary>
    public bool IsMatch(string normalizedText)
    {
        ArgumentNullException.ThrowIfNull(normalizedText);
        try
        {
            return Comparison switch
            {
                TextComparison.Equals => string.Equals(normalizedText, Pattern, StringComparison),
                TextComparison.Contains => normalizedText.Contains(Pattern, StringComparison),
                TextComparison.Glob => _glob!.IsMatch(normalizedText),
                _ => _regex!.IsMatch(normalizedText),
            };
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>1 when the text matches; otherwise a closeness in [0, 0.9] used to rank near misses.</summary>
    public double Score(string normalizedText)
    {
        if (IsMatch(normalizedText))
        {
            return 1;
        }

        return Comparison == TextComparison.Equals ? 0.9 * Similarity(normalizedText, Pattern, IgnoreCase) : 0;
    }

    /// <summary>How much this pattern narrows a match, used to pick the most specific of several matches.</summary>
    public int Weight => Comparison switch
    {
        TextComparison.Equals => 4,
        TextComparison.Glob => 3,
        TextComparison.Regex => 2,
        _ => 1,
    };

    public override string ToString()
    {
        var verb = Comparison switch
        {
            TextComparison.Equals => "equals",
            TextComparison.Contains => "contains",
            TextComparison.Regex => "matches regex",
            _ => "matches glob",
        };
        return $"{verb} '{TextNormalizer.Shorten(Pattern)}'{(IgnoreCase ? " (ignoring case)" : string.Empty)}";
    }

    /// <summary>A cheap closeness of two texts: the share of characters covered by their common prefix and suffix.</summary>
    internal static double Similarity(string a, string b, bool ignoreCase = false)
    {
        if (a.Length == 0 && b.Length == 0)
        {
            return 1;
        }

        var max = Math.Max(a.Length, b.Length);
        var min = Math.Min(a.Length, b.Length);
        var prefix = 0;
        while (prefix < min && CharEquals(a[prefix], b[prefix], ignoreCase))
        {
            prefix++;
        }

        var suffix = 0;
        while (suffix < min - prefix && CharEquals(a[a.Length - 1 - suffix], b[b.Length - 1 - suffix], ignoreCase))
        {
            suffix++;
        }

        return (double)(prefix + suffix) / max;
    }

    private static bool CharEquals(char x, char y, bool ignoreCase) =>
        x == y || (ignoreCase && char.ToUpperInvariant(x) == char.ToUpperInvariant(y));
}
