namespace Switchboard.Limits;

/// <summary>What a key has already spent, in USD, as the usage records say.</summary>
public readonly record struct SpendTotals(decimal Day, decimal Month, decimal Total)
{
    /// <summary>Nothing spent.</summary>
    public static SpendTotals Zero => default;
}
