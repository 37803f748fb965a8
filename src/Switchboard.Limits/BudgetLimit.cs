namespace Switchboard.Limits;

/// <summary>How much one virtual key may spend, in USD; null where there is no limit.</summary>
/// <param name="KeyId">The key's id (its counters are named after it).</param>
/// <param name="PerDay">USD per UTC day.</param>
/// <param name="PerMonth">USD per UTC calendar month.</param>
/// <param name="Total">USD over the key's whole life.</param>
public sealed record BudgetLimit(string KeyId, decimal? PerDay = null, decimal? PerMonth = null, decimal? Total = null)
{
    /// <summary>True when any period is limited.</summary>
    public bool IsActive => PerDay is not null || PerMonth is not null || Total is not null;
}
