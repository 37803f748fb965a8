using System.Runtime.CompilerServices;
using Switchboard.Gateway.Pipeline;
using Switchboard.Identity;
using Switchboard.Limits;

namespace Switchboard.Gateway.Limits;

/// <summary>
/// Key limits from <see cref="GatewayContext.Caller"/>: the virtual key's own RPM, TPM and budget (null RPM/TPM
/// fall back to <c>limits.per_key</c>). The auth stage keeps one identity per key and makes a new one when the key
/// changes, so the limits are built once per identity instance.
/// </summary>
public sealed class CallerKeyLimitsSource : IKeyLimitsSource
{
    private readonly ConditionalWeakTable<CallerIdentity, KeyLimits> _limits = [];

    public KeyLimits? Of(GatewayContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Caller is { Key: { } key } caller
            ? _limits.GetValue(caller, static c => From(c.Key!))
            : null;
    }

    /// <summary>A virtual key's limits and budget.</summary>
    public static KeyLimits From(VirtualKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var budget = new BudgetLimit(key.Id, key.BudgetDailyUsd, key.BudgetMonthlyUsd, key.BudgetTotalUsd);
        return new KeyLimits(key.Id, key.Rpm, key.Tpm, budget.IsActive ? budget : null);
    }
}
