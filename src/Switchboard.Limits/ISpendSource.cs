namespace Switchboard.Limits;

/// <summary>
/// What a key has spent so far, from the usage records: budget counters start from it when a process first
/// sees a key (and for each new day and month), so a restart does not forget spending.
/// </summary>
public interface ISpendSource
{
    /// <param name="keyId">The key.</param>
    /// <param name="dayStart">Start of the current UTC day.</param>
    /// <param name="monthStart">Start of the current UTC month.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    ValueTask<SpendTotals> GetSpendAsync(string keyId, DateTimeOffset dayStart, DateTimeOffset monthStart, CancellationToken cancellationToken);
}
