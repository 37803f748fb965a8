namespace Switchboard.Tokens;

/// <summary>
/// Cuts text into slices that o200k_base can tokenize one after another at a cost linear in their length, with
/// the same result as tokenizing the whole text wherever the text is ordinary.
/// </summary>
/// <remarks>
/// The tokenizer's byte-pair merging costs the square of a pre-token's length: "A" × 40,000 (one pre-token)
/// took 0.7 s, × 160,000 ten. A slice ends only where o200k's pre-tokenizer always starts a new pre-token (a
/// space after a non-space, a change between digits and other characters, a non-space after a line break), so
/// counting slice by slice is exact; a run longer than <see cref="MaxRun"/> characters without such a place
/// is cut after <see cref="MaxRun"/> characters (never inside a surrogate pair), which changes the count of
/// that run by a token or so and bounds the cost of every pre-token. Slices also end after about
/// <see cref="SliceChars"/> characters, so a caller can observe cancellation between them.
/// </remarks>
internal ref struct TokenSlices
{
    /// <summary>The longest run cut without a pre-token boundary; a multiple of 3, so digit groups of 3 stay as they are.</summary>
    public const int MaxRun = 96;

    /// <summary>About how long a slice of ordinary text is.</summary>
    public const int SliceChars = 16 * 1024;

    private readonly ReadOnlySpan<char> _text;
    private int _start;
    private int _end;

    public TokenSlices(ReadOnlySpan<char> text) => _text = text;

    /// <summary>The current slice's start in the text.</summary>
    public readonly int Start => _start;

    /// <summary>The current slice.</summary>
    public readonly ReadOnlySpan<char> Current => _text[_start.._end];

    public readonly TokenSlices GetEnumerator() => this;

    public bool MoveNext()
    {
        _start = _end;
        if (_start >= _text.Length)
        {
            return false;
        }

        var lastBoundary = _start;
        for (var i = _start + 1; i < _text.Length; i++)
        {
            if (IsBoundary(_text[i - 1], _text[i]))
            {
                lastBoundary = i;
                if (i - _start >= SliceChars)
                {
                    _end = i;
                    return true;
                }
            }
            else if (i - lastBoundary >= MaxRun && !char.IsLowSurrogate(_text[i]))
            {
                _end = i;
                return true;
            }
        }

        _end = _text.Length;
        return true;
    }

    /// <summary>
    /// Whether o200k_base's pre-tokenizer starts a new pre-token between <paramref name="previous"/> and
    /// <paramref name="current"/> whatever surrounds them. Its patterns never put a space after another
    /// character into one pre-token, keep digits (<c>\p{N}{1,3}</c>) apart from everything else, and end a
    /// pre-token at a line break that a non-space follows, except a slash (punctuation takes the line breaks and
    /// slashes after it: <c>[^\s\p{L}\p{N}]+[\r\n/]*</c>).
    /// </summary>
    private static bool IsBoundary(char previous, char current) =>
        (current == ' ' && !char.IsWhiteSpace(previous))
        || char.IsNumber(previous) != char.IsNumber(current)
        || (previous is '\r' or '\n' && current != '/' && !char.IsWhiteSpace(current));
}
