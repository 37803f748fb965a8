namespace Switchboard.Mock.Server.Journal;

/// <summary>The last requests the mock received, oldest first; bounded, thread-safe.</summary>
public sealed class RequestJournal(int capacity)
{
    private readonly Lock _gate = new();
    private readonly Queue<JournalEntry> _entries = new();
    private long _sequence;

    public int Capacity { get; } = Math.Max(0, capacity);

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
                while (_entries.Count > Capacity)
                {
                    _entries.Dequeue();
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
            _sequence = 0;
        }
    }
}
