namespace Switchboard.Limits;

/// <summary>No usage records: every key starts with nothing spent.</summary>
public sealed class NoSpendSource : ISpendSource
{
    public static NoSpendSource Instance { get; } = new();

    public ValueTask<SpendTotals> GetSpendAsync(string keyId, DateTimeOffset dayStart, DateTimeOffset monthStart, CancellationToken cancellationToken) =>
        ValueTask.FromResult(SpendTotals.Zero);
}
