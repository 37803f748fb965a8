namespace Switchboard.Identity;

/// <summary>
/// A virtual key as the gateway sees it once verified: who owns it and what it may do. Never carries the key
/// itself or its hash. Immutable and shared between the requests that present the same key.
/// </summary>
public sealed record VirtualKey
{
    /// <summary>The key's id (<c>key_...</c>), stable for its life; usage records and limit counters use it.</summary>
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>The first characters of the key (<c>sk-sb-AbC1dE2f</c>), enough to recognise it in a list.</summary>
    public required string Prefix { get; init; }

    /// <summary>The user the key belongs to, if any.</summary>
    public string? User { get; init; }

    /// <summary>The team the key belongs to, if any.</summary>
    public string? Team { get; init; }

    /// <summary>Model globs (<c>gpt-4o*</c>) the key may call; empty means every model.</summary>
    public IReadOnlyList<string> AllowedModels { get; init; } = [];

    /// <summary>Requests per minute for the key as a whole; null for no key limit.</summary>
    public int? Rpm { get; init; }

    /// <summary>Tokens per minute for the key as a whole; null for no key limit.</summary>
    public int? Tpm { get; init; }

    /// <summary>Budget in USD per UTC day; null for none.</summary>
    public decimal? BudgetDailyUsd { get; init; }

    /// <summary>Budget in USD per UTC calendar month; null for none.</summary>
    public decimal? BudgetMonthlyUsd { get; init; }

    /// <summary>Budget in USD over the key's whole life; null for none.</summary>
    public decimal? BudgetTotalUsd { get; init; }

    /// <summary>When the key stops working; null for never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Free-form labels the admin attached.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = EmptyMetadata;

    private static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new Dictionary<string, string>();
}
