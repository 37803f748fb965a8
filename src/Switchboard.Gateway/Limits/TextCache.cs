namespace Switchboard.Gateway.Limits;

/// <summary>
/// Texts of numbers in a small direct-mapped cache (the number's low bits pick the slot; a newer text replaces an older
/// one in its slot), for header values that repeat from one answer to the next. The text is always formatted (on the
/// stack) and compared with the slot's: a hit costs no allocation, and a slot another thread just replaced can only
/// miss, never answer another number's text.
/// </summary>
internal sealed class TextCache
{
    /// <summary>The longest text a formatter may write (a long's 19 digits and sign; a duration of the longest span).</summary>
    public const int MaxLength = 32;

    private const int Slots = 1024;

    private readonly string?[] _texts = new string?[Slots];

    /// <summary>Writes a number's text into the span (room for <see cref="MaxLength"/>) and returns its length.</summary>
    public delegate int Formatter(long value, Span<char> text);

    /// <summary>The text of <paramref name="value"/>, the cached instance when the slot holds the same text.</summary>
    public string Get(long value, Formatter format)
    {
        Span<char> text = stackalloc char[MaxLength];
        text = text[..format(value, text)];
        ref var slot = ref _texts[(int)(value & (Slots - 1))];
        var cached = Volatile.Read(ref slot);
        if (cached is not null && text.SequenceEqual(cached))
        {
            return cached;
        }

        var made = new string(text);
        Volatile.Write(ref slot, made);
        return made;
    }
}
