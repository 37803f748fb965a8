using Switchboard.Accounting;
using Switchboard.Limits;

namespace Switchboard.Gateway.Limits;

/// <summary>What a key has spent, from the usage records (<see cref="IKeySpendSource"/>): today, this month and in total.</summary>
public sealed class KeySpendSource(IKeySpendSource records) : ISpendSource
{
    public async ValueTask<SpendTotals> GetSpendAsync(string keyId, DateTimeOffset dayStart, DateTimeOffset monthStart, CancellationToken cancellationToken)
    {
        var day = await records.GetSpendAsync(keyId, dayStart, cancellationToken).ConfigureAwait(false);
        var month = await records.GetSpendAsync(keyId, monthStart, cancellationToken).ConfigureAwait(false);
        var total = await records.GetSpendAsync(keyId, DateTimeOffset.MinValue, cancellationToken).ConfigureAwait(false);
        return new SpendTotals(day, month, total);
    }
}
