namespace Switchboard.Mock.Server.Journal;

/// <summary>
/// The last requests the mock received, oldest first; thread-safe and bounded twice: by a number of entries
/// and by the bytes of the request bodies they keep (oldest dropped first).
/// </summary>
public sealed class RequestJournal(int capacity, long maxBytes = long.MaxValue)
{
    /// <summary>What an entry costs besides its body: its fields, near misses and the queue's slot, roughly.</summary>
    public const int EntryOverheadBytes = 512;

    private readonly Lock _gate = new();
    private readonly Queue<JournalEntry> _entries = new();
    private long _sequence;
    private long _bytes;

    public int Capacity { get; } = Math.Max(0, capacity);

    /// <summary>The most the kept entries may cost, counting each body's bytes plus <see cref="EntryOverheadBytes"/>.</summary>
    public long MaxBytes { get; } = Math.Max(0, maxBytes);

    /// <summary>What the kept entries cost now.</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Raised after an entry is added.</summary>
    public event EventHandler<JournalEntry>? Added;

    public JournalEntry Add(JournalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            entry = entry with { Sequence = ++_sequence };
            if (Capacity > 0)
            {
                _entries.Enqueue(entry);
                _bytes += SizeOf(entry);
                while (_entries.Count > 0 && (_entries.Count > Capacity || _bytes > MaxBytes))
                {
                    _bytes -= SizeOf(_entries.Dequeue());
                }
            }
        }

        Added?.Invoke(this, entry);
        return entry;
    }

    public IReadOnlyList<JournalEntry> Snapshot()
    {
        lock (_gate)
        {
            return [.. _entries];
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
            _bytes = 0;
            _sequence = 0;
        }
    }

    private static long SizeOf(JournalEntry entry) => EntryOverheadBytes + (entry.BodyTruncated ? 0 : entry.BodyBytes);
}
