using System.Text.Json.Serialization;
using Switchboard.Data.Keys;
using Switchboard.Data.Usage;

namespace Switchboard.Gateway.Admin;

/// <summary>The body of <c>POST /admin/keys</c>.</summary>
public sealed record CreateKeyRequest
{
    public string? Name { get; init; }

    public string? User { get; init; }

    public string? Team { get; init; }

    /// <summary>Model globs the key may call.</summary>
    public IReadOnlyList<string>? Models { get; init; }

    public int? Rpm { get; init; }

    public int? Tpm { get; init; }

    /// <summary>Budgets as the CLI writes them: <c>10/day</c>, <c>200/month</c>, <c>1000</c> (total).</summary>
    public IReadOnlyList<string>? Budget { get; init; }

    public decimal? BudgetDailyUsd { get; init; }

    public decimal? BudgetMonthlyUsd { get; init; }

    public decimal? BudgetTotalUsd { get; init; }

    /// <summary><c>2026-12-31</c>, an ISO date and time, or a span such as <c>30d</c>.</summary>
    public string? Expires { get; init; }

    public Dictionary<string, string>? Metadata { get; init; }
}

/// <summary>A key as the admin API shows it (never the key itself, except once in <see cref="Key"/> on creation).</summary>
public sealed record KeyView
{
    public string Object { get; init; } = "key";

    public required string Id { get; init; }

    /// <summary>The key; only in the answer to its creation.</summary>
    public string? Key { get; init; }

    public required string Name { get; init; }

    public required string Prefix { get; init; }

    public string? User { get; init; }

    public string? Team { get; init; }

    public IReadOnlyList<string>? Models { get; init; }

    public int? Rpm { get; init; }

    public int? Tpm { get; init; }

    public decimal? BudgetDailyUsd { get; init; }

    public decimal? BudgetMonthlyUsd { get; init; }

    public decimal? BudgetTotalUsd { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? LastUsedAt { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    public static KeyView From(KeyInfo info, string? secret = null)
    {
        ArgumentNullException.ThrowIfNull(info);
        var key = info.Key;
        return new KeyView
        {
            Id = key.Id,
            Key = secret,
            Name = key.Name,
            Prefix = key.Prefix,
            User = key.User,
            Team = key.Team,
            Models = key.AllowedModels.Count == 0 ? null : key.AllowedModels,
            Rpm = key.Rpm,
            Tpm = key.Tpm,
            BudgetDailyUsd = key.BudgetDailyUsd,
            BudgetMonthlyUsd = key.BudgetMonthlyUsd,
            BudgetTotalUsd = key.BudgetTotalUsd,
            ExpiresAt = key.ExpiresAt,
            Metadata = key.Metadata.Count == 0 ? null : key.Metadata,
            CreatedAt = info.CreatedAt,
            LastUsedAt = info.LastUsedAt,
            RevokedAt = info.RevokedAt,
        };
    }
}

/// <summary>The answer of <c>GET /admin/keys</c>.</summary>
public sealed record KeyList(IReadOnlyList<KeyView> Data)
{
    public string Object { get; init; } = "list";
}

/// <summary>The answer of <c>GET /admin/usage</c>.</summary>
public sealed record UsageReport
{
    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public required IReadOnlyList<string> GroupBy { get; init; }

    public required IReadOnlyList<UsageTotals> Data { get; init; }
}

/// <summary>Source-generated JSON for the admin API (snake_case, nulls left out).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectNullableAnnotations = false)]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(KeyView))]
[JsonSerializable(typeof(KeyList))]
[JsonSerializable(typeof(UsageReport))]
public sealed partial class AdminJsonContext : JsonSerializerContext;
