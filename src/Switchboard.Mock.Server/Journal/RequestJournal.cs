namespace Switchboard.Mock.Server.Journal;

/// <summary>
/// The last requests the mock received, oldest first; thread-safe and bounded twice: by a number of entries
/// and by the bytes of the request bodies they keep (oldest dropped first).
/// </summary>
/// <remarks>
/// The bodies of the entries kept are copied into a <see cref="JournalBodyRing"/> (chunks reused), not kept as the
/// requests' own arrays, so that a request's array dies young. What is handed out (the entry <see cref="Add"/> returns
/// and <see cref="Added"/> passes, the entries of a <see cref="Snapshot"/>) reads its body as long as it is held:
/// the first two keep the request's own array, a snapshot's entries copy their bytes out of the ring when first
/// read or, at the latest, when they leave the journal.
/// </remarks>
public sealed class RequestJournal
{
    /// <summary>What an entry costs besides its body: its fields, near misses and the queue's slot, roughly.</summary>
    public const int EntryOverheadBytes = 512;

    private readonly Lock _gate = new();
    private readonly Queue<JournalEntry> _entries = new();
    private readonly JournalBodyRing _ring;
    private long _sequence;
    private long _bytes;

    public RequestJournal(int capacity, long maxBytes = long.MaxValue)
    {
        Capacity = Math.Max(0, capacity);
        MaxBytes = Math.Max(0, maxBytes);
        _ring = new JournalBodyRing(_gate, MaxBytes);
    }

    public int Capacity { get; }

    /// <summary>The most the kept entries may cost, counting each body's bytes plus <see cref="EntryOverheadBytes"/>.</summary>
    public long MaxBytes { get; }

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

    /// <summary>The memory of the ring that holds the kept bodies (allocated as needed, kept until <see cref="Clear"/>).</summary>
    internal long RingBytes
    {
        get
        {
            lock (_gate)
            {
                return _ring.AllocatedBytes;
            }
        }
    }

    /// <summary>Raised after an entry is added.</summary>
    public event EventHandler<JournalEntry>? Added;

    /// <summary>Adds an entry (numbered in <see cref="JournalEntry.Sequence"/>) and returns it as numbered.</summary>
    public JournalEntry Add(JournalEntry entry) => Append(entry, handOut: true, default, lent: false)!;

    /// <summary>
    /// Adds an entry, as <see cref="Add"/>, for a caller that does not use the entry back: none is made unless
    /// <see cref="Added"/> has subscribers. The entry becomes the journal's (numbered in place): the caller made it for
    /// this call and holds it no more.
    /// </summary>
    internal void Append(JournalEntry entry) => Append(entry, handOut: false, default, lent: false);

    /// <summary>
    /// Adds an entry, as <see cref="Append(JournalEntry)"/>, whose body is <paramref name="body"/>: bytes lent for this
    /// call only (a pooled buffer the request gives back when it ends). The journal copies what it keeps into its ring
    /// (a body too large for the ring, and the entry handed to <see cref="Added"/>, into arrays of their own).
    /// </summary>
    internal void Append(JournalEntry entry, ReadOnlySpan<byte> body) => Append(entry, handOut: false, body, lent: true);

    public IReadOnlyList<JournalEntry> Snapshot()
    {
        lock (_gate)
        {
            foreach (var entry in _entries)
            {
                // Held outside the lock from now on: its bytes are copied out before the ring writes over them.
                if (entry.KeptBody is { } kept)
                {
                    kept.Shared = true;
                }
            }

            return [.. _entries];
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            foreach (var entry in _entries)
            {
                entry.KeptBody?.Release();
            }

            _entries.Clear();
            _ring.Reset();
            _bytes = 0;
            _sequence = 0;
        }
    }

    private static long SizeOf(JournalEntry entry) => EntryOverheadBytes + (entry.BodyTruncated ? 0 : entry.BodyBytes);

    private JournalEntry? Append(JournalEntry entry, bool handOut, ReadOnlySpan<byte> lentBody, bool lent)
    {
        ArgumentNullException.ThrowIfNull(entry);
        // An entry taken from a snapshot and added again brings its body in the ring: read out here, not under the lock.
        // Lent bytes are copied into the ring under the lock, or (too large for it) into an array of their own here.
        var raw = lent
            ? lentBody.Length > _ring.MaxBodyBytes ? lentBody.ToArray() : null
            : entry.RawBody ?? entry.KeptBody?.ToArray();
        long sequence;
        JournalEntry? stored = null;
        lock (_gate)
        {
            sequence = ++_sequence;
            if (Capacity > 0)
            {
                var kept = raw is not null ? _ring.TryWrite(raw) : lent ? _ring.TryWrite(lentBody) : null;
                if (handOut)
                {
                    stored = entry with { Sequence = sequence, RawBody = kept is null ? raw : null, KeptBody = kept };
                }
                else
                {
                    // The internal Append's entry is made for the journal alone: numbered in place, not copied.
                    stored = entry;
                    stored.Keep(sequence, kept is null ? raw : null, kept);
                }

                _entries.Enqueue(stored);
                _bytes += SizeOf(stored);
                while (_entries.Count > 0 && (_entries.Count > Capacity || _bytes > MaxBytes))
                {
                    var dropped = _entries.Dequeue();
                    _bytes -= SizeOf(dropped);
                    dropped.KeptBody?.Release();
                }
            }
        }

        var added = Added;
        if (!handOut && added is null)
        {
            return null;
        }

        // What is handed out keeps the request's own array (it dies with its last holder), or a copy of lent bytes: the
        // stored entry itself when that keeps its own array too, otherwise a twin of it.
        if (raw is null && lent)
        {
            raw = lentBody.ToArray();
        }

        var handed = stored is { KeptBody: null } ? stored : entry with { Sequence = sequence, RawBody = raw, KeptBody = null };
        added?.Invoke(this, handed);
        return handed;
    }
}
