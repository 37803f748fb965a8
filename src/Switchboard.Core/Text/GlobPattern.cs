namespace Switchboard.Text;

/// <summary>
/// A glob: <c>*</c> matches any run of characters, <c>?</c> exactly one; case-insensitive. Matching is a
/// linear-time scan with one remembered star, so no input (however long, however many stars) can make it
/// backtrack exponentially the way a regex translation could.
/// </summary>
public sealed class GlobPattern
{
    public GlobPattern(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        Pattern = pattern;
    }

    public string Pattern { get; }

    public bool IsMatch(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var pattern = Pattern.AsSpan();
        var text = value.AsSpan();
        int p = 0, t = 0, starAt = -1, starText = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || SameLetter(pattern[p], text[t])))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                starAt = p++;
                starText = t;
            }
            else if (starAt >= 0)
            {
                // Let the last star swallow one more character and try again from there.
                p = starAt + 1;
                t = ++starText;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    private static bool SameLetter(char a, char b) => a == b || char.ToUpperInvariant(a) == char.ToUpperInvariant(b);
}
