namespace Switchboard.Limits;

/// <summary>No usage records: every key starts with nothing spent.</summary>
public sealed class NoSpendSource : ISpendSource
{
    /// <summary>The one instance.</summary>
    public static NoSpendSource Instance { get; } = new();

    /// <inheritdoc />
    public ValueTask<SpendTotals> GetSpendAsync(string keyId, DateTimeOffset dayStart, DateTimeOffset monthStart, CancellationToken cancellationToken) =>
        ValueTask.FromResult(SpendTotals.Zero);
}
