namespace Switchboard.Mock.Server.Journal;

/// <summary>
/// A request body kept in the journal's <see cref="JournalBodyRing"/>, until it is copied out into an array of its own:
/// when first read, or when its entry leaves the journal after it was handed out (<see cref="Shared"/>), before the
/// ring can write over its bytes. Entries copied with <c>with</c> share it, and so its copy.
/// </summary>
internal sealed class JournalBody
{
    private readonly JournalBodyRing _ring;
    private readonly int _offset;
    private JournalBodyRing.Chunk? _chunk;
    private byte[]? _copy;

    internal JournalBody(JournalBodyRing ring, JournalBodyRing.Chunk chunk, int offset, int length)
    {
        _ring = ring;
        _chunk = chunk;
        _offset = offset;
        Length = length;
    }

    public int Length { get; }

    /// <summary>True once an entry holding it left the journal's lock (a snapshot): released, it is copied out first. Under the lock.</summary>
    public bool Shared { get; set; }

    /// <summary>True while its bytes are in the ring, false once released (it was dropped or the journal cleared).</summary>
    public bool InRing => _chunk is not null;

    /// <summary>The body's bytes in an array of its own, copied out of the ring on the first call.</summary>
    public byte[] ToArray()
    {
        if (Volatile.Read(ref _copy) is { } copy)
        {
            return copy;
        }

        lock (_ring.Gate)
        {
            return CopyOut();
        }
    }

    /// <summary>Gives its bytes back to the ring, copying them out first when an entry holding it was handed out. Under the lock.</summary>
    public void Release()
    {
        if (_chunk is null)
        {
            return;
        }

        if (Shared)
        {
            CopyOut();
        }

        _chunk.Live--;
        _chunk = null;
    }

    private byte[] CopyOut()
    {
        if (_copy is null)
        {
            // Only entries in the journal or handed out (Shared) can be read, so a released body was copied out first.
            var chunk = _chunk ?? throw new InvalidOperationException("A journal body was read after the ring took its bytes back without copying them out.");
            Volatile.Write(ref _copy, chunk.Bytes.AsSpan(_offset, Length).ToArray());
        }

        return _copy!;
    }
}
