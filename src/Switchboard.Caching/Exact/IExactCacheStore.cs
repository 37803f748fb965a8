namespace Switchboard.Caching.Exact;

/// <summary>
/// Where the exact cache keeps answers: in process (<see cref="MemoryExactCacheStore"/>) or in Redis, shared
/// by replicas (<see cref="RedisExactCacheStore"/>). Values are <see cref="Entries.CachedAnswerCodec"/> bytes.
/// </summary>
public interface IExactCacheStore
{
    /// <summary><c>memory</c> or <c>redis</c>, for the admin report.</summary>
    string Name { get; }

    /// <summary>The stored bytes for <paramref name="key"/> (filed under <paramref name="tags"/>), or null on a miss (or when expired).</summary>
    ValueTask<ReadOnlyMemory<byte>?> GetAsync(string key, CacheTags tags, CancellationToken cancellationToken);

    ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CacheTags tags, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Removes matching entries; returns how many went.</summary>
    ValueTask<long> PurgeAsync(CachePurge purge, CancellationToken cancellationToken);

    /// <summary>How many entries and bytes the store holds (Redis: counted by a scan).</summary>
    ValueTask<CacheSize> GetSizeAsync(CancellationToken cancellationToken);
}
