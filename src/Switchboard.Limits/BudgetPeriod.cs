namespace Switchboard.Limits;

/// <summary>The period a budget counts over.</summary>
public enum BudgetPeriod
{
    /// <summary>The current UTC day.</summary>
    Day,

    /// <summary>The current UTC calendar month.</summary>
    Month,

    /// <summary>The key's whole life.</summary>
    Total,
}
