namespace Switchboard.Data.Entities;

/// <summary>A row of <c>keys</c>: a virtual key's hash (never the key), its owner, limits, budget and life.</summary>
public sealed class KeyEntity
{
    public required string Id { get; set; }

    public required string Name { get; set; }

    /// <summary>The key's first characters, for display.</summary>
    public required string Prefix { get; set; }

    /// <summary>HMAC-SHA-256 of the key (see <see cref="Keys.KeyHasher"/>).</summary>
    public required byte[] KeyHash { get; set; }

    public string? UserId { get; set; }

    public string? TeamId { get; set; }

    /// <summary>Model globs separated by commas; null for every model.</summary>
    public string? AllowedModels { get; set; }

    public int? Rpm { get; set; }

    public int? Tpm { get; set; }

    public decimal? BudgetDailyUsd { get; set; }

    public decimal? BudgetMonthlyUsd { get; set; }

    public decimal? BudgetTotalUsd { get; set; }

    public DateTime? ExpiresAt { get; set; }

    /// <summary>A JSON object of strings.</summary>
    public string? Metadata { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? LastUsedAt { get; set; }

    public DateTime? RevokedAt { get; set; }
}
