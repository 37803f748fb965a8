namespace Switchboard.Mock.Server.Journal;

/// <summary>
/// Where the journal keeps the request bodies of its entries: large chunks allocated once and written again and again,
/// so that a request's own body array dies young instead of being promoted through the generations with its entry
/// (kept per entry, 1,000 bodies of 7 KB made nearly every collection a gen-1 one; see docs/benchmarks.md, run 11).
/// </summary>
/// <remarks>
/// Chunks are filled in turn, each from its start; a body never spans two. The chunk after the current one holds the
/// oldest bodies still kept, so it is reused once they are all released; while it still holds one, a new chunk is
/// put in before it. The journal's count and byte bounds alone decide what is dropped: the ring grows to what they
/// keep (plus the unused tails of chunks, at most an eighth of each) and keeps its chunks until <see cref="Reset"/>.
/// Not thread-safe: every member is called under <see cref="Gate"/>, the journal's lock.
/// </remarks>
internal sealed class JournalBodyRing
{
    /// <summary>The largest chunk: 1 MiB (on the large-object heap, never copied by the GC).</summary>
    public const int MaxChunkBytes = 1024 * 1024;

    private const int MinChunkBytes = 64 * 1024;

    private readonly List<Chunk> _chunks = [];
    private int _current = -1;
    private int _position;

    /// <param name="gate">The journal's lock, held by every caller and taken by <see cref="JournalBody"/> to copy a body out.</param>
    /// <param name="maxBytes">The journal's byte bound: a journal allowed less than a chunk gets smaller chunks.</param>
    public JournalBodyRing(Lock gate, long maxBytes)
    {
        Gate = gate;
        ChunkBytes = (int)Math.Clamp(maxBytes, MinChunkBytes, MaxChunkBytes);
    }

    public Lock Gate { get; }

    public int ChunkBytes { get; }

    /// <summary>Larger bodies are not written here (the journal keeps their own arrays): it bounds a chunk's unused tail.</summary>
    public int MaxBodyBytes => ChunkBytes / 8;

    /// <summary>The bytes of the chunks allocated so far.</summary>
    public long AllocatedBytes => (long)_chunks.Count * ChunkBytes;

    /// <summary>A copy of <paramref name="body"/> in the ring, or null when it is larger than <see cref="MaxBodyBytes"/>.</summary>
    public JournalBody? TryWrite(ReadOnlySpan<byte> body)
    {
        if (body.Length > MaxBodyBytes)
        {
            return null;
        }

        if (_current < 0 || _position + body.Length > ChunkBytes)
        {
            MoveToFreeChunk();
        }

        var chunk = _chunks[_current];
        body.CopyTo(chunk.Bytes.AsSpan(_position));
        var kept = new JournalBody(this, chunk, _position, body.Length);
        _position += body.Length;
        chunk.Live++;
        return kept;
    }

    /// <summary>Drops every chunk; call once every body written is released.</summary>
    public void Reset()
    {
        _chunks.Clear();
        _current = -1;
        _position = 0;
    }

    private void MoveToFreeChunk()
    {
        var next = _current + 1 == _chunks.Count ? 0 : _current + 1;
        if (next >= _chunks.Count || _chunks[next].Live > 0)
        {
            // Every chunk still holds a kept body (or there is none yet): a new one goes in after the current one, so
            // that the chunk after it is still the one with the oldest bodies.
            next = _current + 1;
            _chunks.Insert(next, new Chunk(ChunkBytes));
        }

        _current = next;
        _position = 0;
    }

    /// <summary>One chunk and how many kept bodies it holds.</summary>
    internal sealed class Chunk(int bytes)
    {
        public byte[] Bytes { get; } = GC.AllocateUninitializedArray<byte>(bytes);

        public int Live { get; set; }
    }
}
