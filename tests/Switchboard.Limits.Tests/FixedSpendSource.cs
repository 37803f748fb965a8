namespace Switchboard.Limits.Tests;

/// <summary>Answers every spend query with the same totals and counts the queries.</summary>
public sealed class FixedSpendSource(SpendTotals totals) : ISpendSource
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public ValueTask<SpendTotals> GetSpendAsync(string keyId, DateTimeOffset dayStart, DateTimeOffset monthStart, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return ValueTask.FromResult(totals);
    }
}
