using System.Collections.Concurrent;

namespace Switchboard.Data.Usage;

/// <summary>
/// One instance per distinct text, for the strings of a usage row that are parsed afresh for every request but repeat
/// (the requested model, the end user, an error code): the row keeps the shared instance, and the request's own copy
/// dies young. Holds at most <c>capacity</c> texts; past that a text is kept as it came.
/// </summary>
internal sealed class SharedStrings(int capacity)
{
    private readonly ConcurrentDictionary<string, string> _known = new(StringComparer.Ordinal);
    private int _count;

    /// <summary>The shared instance equal to <paramref name="value"/>.</summary>
    public string Share(string value)
    {
        if (_known.TryGetValue(value, out var known))
        {
            return known;
        }

        if (Volatile.Read(ref _count) < capacity && _known.TryAdd(value, value))
        {
            Interlocked.Increment(ref _count);
        }

        return value;
    }
}
