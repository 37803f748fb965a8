namespace Switchboard.Data.Keys;

/// <summary>What an admin asks for when creating a virtual key (CLI flags or <c>POST /admin/keys</c>).</summary>
public sealed record KeySpec
{
    public required string Name { get; init; }

    public string? User { get; init; }

    public string? Team { get; init; }

    public IReadOnlyList<string> AllowedModels { get; init; } = [];

    public int? Rpm { get; init; }

    public int? Tpm { get; init; }

    public decimal? BudgetDailyUsd { get; init; }

    public decimal? BudgetMonthlyUsd { get; init; }

    public decimal? BudgetTotalUsd { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
