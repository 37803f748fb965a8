namespace Switchboard.Accounting;

/// <summary>
/// What virtual keys have spent, read from the usage records in the database. Budget counters are seeded from
/// it at start-up (or when a key is first seen) and then kept in memory or Redis; it is not meant to be asked
/// per request. Records still queued or spilled to the local file are not counted yet.
/// </summary>
public interface IKeySpendSource
{
    /// <summary>The USD spent by <paramref name="keyId"/> on requests that started at or after <paramref name="since"/>.</summary>
    ValueTask<decimal> GetSpendAsync(string keyId, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>The USD spent by every key that spent anything since <paramref name="since"/>, by key id.</summary>
    ValueTask<IReadOnlyDictionary<string, decimal>> GetSpendByKeyAsync(DateTimeOffset since, CancellationToken cancellationToken);
}
