namespace Switchboard.Caching.Exact;

/// <summary>
/// The exact cache in process: a dictionary with a least-recently-used list, bounded by entry count and by
/// bytes, with a time to live per entry (checked on read, so no timer runs). One lock guards it: every
/// operation under it is a few pointer moves.
/// </summary>
public sealed class MemoryExactCacheStore : IExactCacheStore
{
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recency = new();
    private readonly Lock _lock = new();
    private readonly int _maxEntries;
    private readonly long _maxBytes;
    private readonly TimeProvider _time;
    private long _bytes;

    public MemoryExactCacheStore(int maxEntries, long maxBytes, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        _maxEntries = maxEntries;
        _maxBytes = maxBytes;
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
    }

    public string Name => "memory";

    public ValueTask<ReadOnlyMemory<byte>?> GetAsync(string key, CacheTags tags, CancellationToken cancellationToken)
    {
        key = Filed(key, tags);
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var node))
            {
                return ValueTask.FromResult<ReadOnlyMemory<byte>?>(null);
            }

            if (node.Value.ExpiresAt <= now)
            {
                RemoveNode(node);
                return ValueTask.FromResult<ReadOnlyMemory<byte>?>(null);
            }

            _recency.Remove(node);
            _recency.AddFirst(node);
            return ValueTask.FromResult<ReadOnlyMemory<byte>?>(node.Value.Value);
        }
    }

    public ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CacheTags tags, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        key = Filed(key, tags);
        var size = Size(key, value);
        if (size > _maxBytes)
        {
            // Would push out everything else and still not fit.
            return ValueTask.CompletedTask;
        }

        var expires = _time.GetTimestamp() + (long)(ttl.TotalSeconds * _time.TimestampFrequency);
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                RemoveNode(existing);
            }

            var node = _recency.AddFirst(new Entry(key, value, tags, expires, size));
            _entries[key] = node;
            _bytes += size;
            while (_entries.Count > _maxEntries || _bytes > _maxBytes)
            {
                RemoveNode(_recency.Last!);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<long> PurgeAsync(CachePurge purge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(purge);
        long removed = 0;
        lock (_lock)
        {
            for (var node = _recency.First; node is not null;)
            {
                var next = node.Next;
                if (purge.Matches(node.Value.Tags.Namespace, node.Value.Tags.Model))
                {
                    RemoveNode(node);
                    removed++;
                }

                node = next;
            }
        }

        return ValueTask.FromResult(removed);
    }

    public ValueTask<CacheSize> GetSizeAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(new CacheSize(_entries.Count, _bytes));
        }
    }

    private void RemoveNode(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        _entries.Remove(node.Value.Key);
        _bytes -= node.Value.Size;
    }

    /// <summary>The key with its namespace: the same request in two namespaces is two entries (as in Redis).</summary>
    private static string Filed(string key, CacheTags tags) => string.Concat(tags.Namespace, "\n", key);

    /// <summary>The bytes an entry holds on to: its value, its key and the bookkeeping around them.</summary>
    private static long Size(string key, ReadOnlyMemory<byte> value) => value.Length + (key.Length * 2) + 128;

    private sealed record Entry(string Key, ReadOnlyMemory<byte> Value, CacheTags Tags, long ExpiresAt, long Size);
}
