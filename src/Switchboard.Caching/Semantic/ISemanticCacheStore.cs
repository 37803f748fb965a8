namespace Switchboard.Caching.Semantic;

/// <summary>
/// Where semantic entries persist, so a restart and other replicas keep them: the database (SQLite or
/// PostgreSQL), Redis, or memory (tests; nothing kept). The in-memory vector index is built from it.
/// </summary>
public interface ISemanticCacheStore
{
    /// <summary><c>sqlite</c>, <c>postgres</c>, <c>redis</c> or <c>memory</c>, for the admin report.</summary>
    string Name { get; }

    ValueTask AddAsync(SemanticEntry entry, CancellationToken cancellationToken);

    /// <summary>The answer of an entry; null when it is gone (purged, expired, evicted by another replica).</summary>
    ValueTask<ReadOnlyMemory<byte>?> GetAnswerAsync(long id, CancellationToken cancellationToken);

    /// <summary>Entries (without answers) created at or after <paramref name="since"/> and not yet expired at <paramref name="now"/>, oldest first.</summary>
    IAsyncEnumerable<SemanticEntry> LoadAsync(DateTimeOffset since, DateTimeOffset now, CancellationToken cancellationToken);

    ValueTask RemoveAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken);

    /// <summary>Removes matching entries; returns how many went.</summary>
    ValueTask<long> PurgeAsync(CachePurge purge, CancellationToken cancellationToken);

    /// <summary>Removes entries expired at <paramref name="now"/>.</summary>
    ValueTask RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
