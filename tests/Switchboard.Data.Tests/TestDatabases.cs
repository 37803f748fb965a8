using Microsoft.EntityFrameworkCore;
using Switchboard.Accounting;

namespace Switchboard.Data.Tests;

/// <summary>Fresh databases for a test: a SQLite file in a folder of its own, or a new PostgreSQL database.</summary>
internal static class TestDatabases
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static DatabaseOptions Sqlite(DirectoryInfo folder) => new()
    {
        Provider = "sqlite",
        Connection = $"Data Source={Path.Combine(folder.FullName, "switchboard.db")}",
        SpillPath = Path.Combine(folder.FullName, "usage-spill.jsonl"),
    };

    public static async Task<DatabaseOptions> PostgresAsync(DirectoryInfo folder, string prefix)
    {
        Assert.SkipWhen(TestPostgres.ServerConnection is null, TestPostgres.SkipReason);
        return new DatabaseOptions
        {
            Provider = "postgres",
            Connection = await TestPostgres.CreateDatabaseAsync(prefix, Ct),
            SpillPath = Path.Combine(folder.FullName, "usage-spill.jsonl"),
        };
    }

    public static async Task<SwitchboardDatabase> MigratedAsync(DatabaseOptions options)
    {
        var database = new SwitchboardDatabase(options);
        await database.MigrateAsync(Ct);
        return database;
    }

    public static UsageRecord Record(string requestId, string? keyId = "key_a", decimal cost = 0.001m, DateTimeOffset? at = null, string model = "m") => new()
    {
        Timestamp = at ?? DateTimeOffset.UtcNow,
        RequestId = requestId,
        KeyId = keyId,
        User = "alice",
        RequestedModel = model,
        ServedModel = "upstream-" + model,
        Provider = "p",
        Deployment = "p/upstream-" + model,
        InputTokens = 10,
        OutputTokens = 5,
        CostUsd = cost,
        LatencyMs = 12.5,
        Attempts = 1,
        Status = 200,
    };

    /// <summary>
    /// What <c>key_spend</c> holds per key and day, and the same summed from the usage rows: a test asserts they are
    /// equal (and what they are).
    /// </summary>
    public static async Task<(List<(string KeyId, DateOnly Day, long NanoUsd)> Kept, List<(string KeyId, DateOnly Day, long NanoUsd)> FromRows)> SpendPerDayAsync(SwitchboardDatabase database)
    {
        await using var context = database.CreateContext();
        var kept = await context.KeySpendDays.Select(s => new { s.KeyId, s.Day, s.NanoUsd }).ToListAsync(Ct);
        var rows = await context.Usage.Where(u => u.KeyId != null).Select(u => new { KeyId = u.KeyId!, u.OccurredAt, u.CostNanoUsd }).ToListAsync(Ct);
        return (
            [.. kept.Select(s => (s.KeyId, s.Day, s.NanoUsd)).Order()],
            [.. rows.GroupBy(r => (r.KeyId, Day: DateOnly.FromDateTime(r.OccurredAt)))
                .Select(g => (g.Key.KeyId, g.Key.Day, NanoUsd: g.Sum(r => r.CostNanoUsd)))
                .Where(s => s.NanoUsd != 0)
                .Order()]);
    }
}
