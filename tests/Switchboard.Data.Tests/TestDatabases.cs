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
}
