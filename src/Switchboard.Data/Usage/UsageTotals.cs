namespace Switchboard.Data.Usage;

/// <summary>One row of <c>/admin/usage</c>: the totals of one group (the dimensions not grouped by are null).</summary>
public sealed record UsageTotals
{
    public string? KeyId { get; init; }

    public string? User { get; init; }

    public string? Team { get; init; }

    public string? EndUser { get; init; }

    public string? Model { get; init; }

    /// <summary>The UTC day, <c>yyyy-MM-dd</c>.</summary>
    public string? Day { get; init; }

    public long Requests { get; init; }

    public long Errors { get; init; }

    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    public decimal CostUsd { get; init; }

    public decimal CostSavedUsd { get; init; }
}
