namespace Switchboard.Gateway.Limits;

/// <summary>
/// Texts of numbers in a small direct-mapped cache (the number's low bits pick the slot; a newer number replaces an
/// older one in its slot). Each slot holds an immutable entry, so a reader racing a writer sees an old entry or a new
/// one, never half of each. For header values that repeat from one answer to the next.
/// </summary>
internal sealed class TextCache
{
    private const int Slots = 1024;

    private readonly Entry?[] _entries = new Entry?[Slots];

    /// <summary>The text of <paramref name="value"/>: cached, or made by <paramref name="format"/> and cached.</summary>
    public string Get(long value, Func<long, string> format)
    {
        ref var slot = ref _entries[(int)(value & (Slots - 1))];
        var entry = Volatile.Read(ref slot);
        if (entry is not null && entry.Value == value)
        {
            return entry.Text;
        }

        var text = format(value);
        Volatile.Write(ref slot, new Entry(value, text));
        return text;
    }

    private sealed record Entry(long Value, string Text);
}
