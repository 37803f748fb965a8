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

    /// <summary>USD the caches saved (what the answered requests would have cost upstream).</summary>
    public decimal CostSavedUsd { get; init; }

    /// <summary>Requests answered by the exact or the semantic cache.</summary>
    public long CacheHits { get; init; }

    /// <summary>Tokens the cache hits saved (prompt and completion of the answers they replayed).</summary>
    public long CachedTokens { get; init; }

    /// <summary>Prompt tokens the compression stage removed before requests went upstream.</summary>
    public long CompressionTokensSaved { get; init; }
}
