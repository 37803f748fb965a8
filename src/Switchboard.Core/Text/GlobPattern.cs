namespace Switchboard.Text;

/// <summary>
/// A glob: <c>*</c> matches any run of characters, <c>?</c> exactly one, <c>[abc]</c>, <c>[a-z]</c> and
/// <c>[!abc]</c> one character of (or not of) a set. Matching is a linear scan with one remembered star, so
/// no input (however long, however many stars) can make it backtrack exponentially as a regex could.
/// </summary>
public sealed class GlobPattern
{
    private readonly Token[] _tokens;

    /// <param name="pattern">The glob.</param>
    /// <param name="ignoreCase">Whether letters match regardless of case (model routing does; fixtures choose).</param>
    public GlobPattern(string pattern, bool ignoreCase = true)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        Pattern = pattern;
        IgnoreCase = ignoreCase;
        _tokens = Parse(pattern);
    }

    public string Pattern { get; }

    public bool IgnoreCase { get; }

    public bool IsMatch(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int p = 0, t = 0, starAt = -1, starText = 0;
        while (t < value.Length)
        {
            if (p < _tokens.Length && _tokens[p].Kind != TokenKind.Star && Matches(_tokens[p], value[t]))
            {
                p++;
                t++;
            }
            else if (p < _tokens.Length && _tokens[p].Kind == TokenKind.Star)
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

        while (p < _tokens.Length && _tokens[p].Kind == TokenKind.Star)
        {
            p++;
        }

        return p == _tokens.Length;
    }

    private bool Matches(Token token, char c) => token.Kind switch
    {
        TokenKind.Any => true,
        TokenKind.Literal => Same(token.Literal, c),
        _ => InSet(token, c) != token.Negated,
    };

    private bool InSet(Token token, char c)
    {
        foreach (var (from, to) in token.Ranges!)
        {
            if ((c >= from && c <= to) || (IgnoreCase && (InRange(char.ToUpperInvariant(c), from, to) || InRange(char.ToLowerInvariant(c), from, to))))
            {
                return true;
            }
        }

        return false;
    }

    private static bool InRange(char c, char from, char to) => c >= from && c <= to;

    private bool Same(char a, char b) => a == b || (IgnoreCase && char.ToUpperInvariant(a) == char.ToUpperInvariant(b));

    private static Token[] Parse(string pattern)
    {
        var tokens = new List<Token>(pattern.Length);
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            var close = c == '[' && i + 2 < pattern.Length ? pattern.IndexOf(']', i + 2) : -1;
            if (c == '*')
            {
                // Consecutive stars mean the same as one.
                if (tokens.Count == 0 || tokens[^1].Kind != TokenKind.Star)
                {
                    tokens.Add(new Token(TokenKind.Star, default, false, null));
                }
            }
            else if (c == '?')
            {
                tokens.Add(new Token(TokenKind.Any, default, false, null));
            }
            else if (close > 0)
            {
                var set = pattern.AsSpan(i + 1, close - i - 1);
                var negated = set[0] == '!';
                tokens.Add(new Token(TokenKind.Set, default, negated, ParseRanges(negated ? set[1..] : set)));
                i = close;
            }
            else
            {
                tokens.Add(new Token(TokenKind.Literal, c, false, null));
            }
        }

        return [.. tokens];
    }

    private static (char From, char To)[] ParseRanges(ReadOnlySpan<char> set)
    {
        var ranges = new List<(char, char)>();
        for (var i = 0; i < set.Length; i++)
        {
            if (i + 2 < set.Length && set[i + 1] == '-')
            {
                ranges.Add((set[i], set[i + 2]));
                i += 2;
            }
            else
            {
                ranges.Add((set[i], set[i]));
            }
        }

        return [.. ranges];
    }

    private enum TokenKind
    {
        Literal,
        Any,
        Star,
        Set,
    }

    private readonly record struct Token(TokenKind Kind, char Literal, bool Negated, (char From, char To)[]? Ranges);
}
