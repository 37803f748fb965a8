namespace Switchboard.Gateway.Limits;

/// <summary>
/// Texts of numbers in a small direct-mapped cache (the number's low bits pick the slot; a newer number replaces an
/// older one in its slot), for header values that repeat from one answer to the next. Each slot holds an immutable
/// entry, so a reader racing a writer sees the old entry or the new one, never half of each. A hit costs one
/// comparison; a miss formats on the stack and allocates the string and its entry.
/// </summary>
internal sealed class TextCache
{
    /// <summary>The longest text a formatter may write (a long's 19 digits and sign; a duration of the longest span).</summary>
    public const int MaxLength = 32;

    private const int Slots = 1024;

    private readonly Entry?[] _entries = new Entry?[Slots];

    /// <summary>Writes a number's text into the span (room for <see cref="MaxLength"/>) and returns its length.</summary>
    public delegate int Formatter(long value, Span<char> text);

    /// <summary>The text of <paramref name="value"/>: cached, or made by <paramref name="format"/> and cached.</summary>
    public string Get(long value, Formatter format)
    {
        ref var slot = ref _entries[(int)(value & (Slots - 1))];
        var entry = Volatile.Read(ref slot);
        if (entry is not null && entry.Value == value)
        {
            return entry.Text;
        }

        Span<char> text = stackalloc char[MaxLength];
        var made = new string(text[..format(value, text)]);
        Volatile.Write(ref slot, new Entry(value, made));
        return made;
    }

    private sealed record Entry(long Value, string Text);
}
