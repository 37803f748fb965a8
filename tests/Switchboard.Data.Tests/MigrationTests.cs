using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Switchboard.Data.Entities;

namespace Switchboard.Data.Tests;

/// <summary>Each provider's migrations build the whole model from an empty database, and match the model.</summary>
public sealed class MigrationTests : DatabaseTest
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task MigrationsCreateEveryTableOnAnEmptyDatabase(string provider)
    {
        var database = await DatabaseAsync(provider);

        await using var context = database.CreateContext();
        Assert.Empty(await context.Database.GetPendingMigrationsAsync(Ct));
        Assert.NotEmpty(await context.Database.GetAppliedMigrationsAsync(Ct));
        Assert.Equal(0, await context.Keys.CountAsync(Ct));
        Assert.Equal(0, await context.Usage.CountAsync(Ct));
        Assert.Equal(0, await context.StoredMessages.CountAsync(Ct));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task TheMigrationsOfEachProviderMatchTheModel(string provider)
    {
        // Fails when the model changed without `dotnet ef migrations add` for this provider.
        var database = new SwitchboardDatabase(provider == "postgres"
            ? new DatabaseOptions { Provider = "postgres", Connection = "Host=127.0.0.1" }
            : TestDatabases.Sqlite(Folder));
        await using var context = database.CreateContext();

        Assert.False(context.Database.HasPendingModelChanges());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task MigratingTwiceChangesNothing(string provider)
    {
        var options = await OptionsAsync(provider);
        await TestDatabases.MigratedAsync(options);

        var again = await TestDatabases.MigratedAsync(options);

        await using var context = again.CreateContext();
        Assert.Empty(await context.Database.GetPendingMigrationsAsync(Ct));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task KeySpendPerDayStartsFromTheRowsAlreadyThere(string provider)
    {
        var options = await OptionsAsync(provider);
        var database = new SwitchboardDatabase(options);
        var day1 = new DateTime(2026, 11, 30, 23, 59, 59, 999, DateTimeKind.Utc);
        var day2 = day1.AddMilliseconds(1);
        await using (var context = database.CreateContext())
        {
            var migrations = context.Database.GetMigrations().ToList();
            var before = migrations[migrations.FindIndex(m => m.EndsWith("_KeySpendPerDay", StringComparison.Ordinal)) - 1];
            await context.GetService<IMigrator>().MigrateAsync(before, cancellationToken: Ct);
            await InsertOldRowsAsync(context, provider,
                Row("a", day1, 1), Row("a", day1.AddHours(-5), 2), Row("a", day2, 4), Row("b", day2, 8), Row(null, day2, 16));
        }

        await database.MigrateAsync(Ct);

        var (kept, fromRows) = await TestDatabases.SpendPerDayAsync(database);
        Assert.Equal([("a", DateOnly.FromDateTime(day1), 3L), ("a", DateOnly.FromDateTime(day2), 4L), ("b", DateOnly.FromDateTime(day2), 8L)], kept);
        Assert.Equal(fromRows, kept);

        static UsageEntity Row(string? key, DateTime at, long nanoUsd) => OldRow(Guid.CreateVersion7(at), at, key, nanoUsd);
    }

    [Fact]
    public async Task SqliteRowsAlreadyThereAreKeyedByTheirIdsMillisecondInIdOrder()
    {
        var options = await OptionsAsync("sqlite");
        var database = new SwitchboardDatabase(options);
        var at = new DateTime(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc);
        Guid[] sameMillisecond = [.. Enumerable.Range(0, 3).Select(_ => Guid.CreateVersion7(at)).Order()];
        var later = Guid.CreateVersion7(at.AddSeconds(1));
        await using (var context = database.CreateContext())
        {
            var migrations = context.Database.GetMigrations().ToList();
            var before = migrations[migrations.FindIndex(m => m.EndsWith("_SqliteUsageKeyedBySequence", StringComparison.Ordinal)) - 1];
            await context.GetService<IMigrator>().MigrateAsync(before, cancellationToken: Ct);
            await InsertOldRowsAsync(context, "sqlite", [.. sameMillisecond.Reverse().Append(later).Select(id => OldRow(id, at, "a", 1))]);
        }

        await database.MigrateAsync(Ct);

        await using var migrated = database.CreateContext();
        var keys = await migrated.Usage
            .OrderBy(u => EF.Property<long>(u, "Seq"))
            .Select(u => new { u.Id, Seq = EF.Property<long>(u, "Seq") })
            .ToListAsync(Ct);
        var first = Usage.UsageSequence.First(new DateTimeOffset(at).ToUnixTimeMilliseconds());
        Assert.Equal([.. sameMillisecond, later], keys.Select(k => k.Id));
        Assert.Equal([first, first + 1, first + 2, Usage.UsageSequence.First(new DateTimeOffset(at.AddSeconds(1)).ToUnixTimeMilliseconds())], keys.Select(k => k.Seq));
        Assert.Equal(4m * 1e-9m, (await new Usage.UsageQueries(database).GetSpendByKeyAsync(new DateTimeOffset(at), Ct))["a"]);
    }

    private static UsageEntity OldRow(Guid id, DateTime at, string? key, long nanoUsd) => new()
    {
        Id = id,
        OccurredAt = at,
        RequestId = "r",
        Endpoint = "chat",
        KeyId = key,
        RequestedModel = "m",
        CostNanoUsd = nanoUsd,
    };

    // Rows as an earlier version wrote them: on SQLite the model (keyed by seq) is not the old table's, so by hand.
    private static async Task InsertOldRowsAsync(SwitchboardDbContext context, string provider, params UsageEntity[] rows)
    {
        if (provider == "postgres")
        {
            context.Usage.AddRange(rows);
            await context.SaveChangesAsync(Ct);
            return;
        }

        foreach (var row in rows)
        {
            var id = row.Id.ToString().ToUpperInvariant();
            var at = Text.SqliteTimeText.ToText(row.OccurredAt);
            await context.Database.ExecuteSqlAsync($"""
                INSERT INTO usage (id, occurred_at, request_id, endpoint, key_id, requested_model, input_tokens, output_tokens,
                    cost_nano_usd, latency_ms, attempts, stream, cached_tokens, cost_saved_nano_usd, status, has_stored_messages)
                VALUES ({id}, {at}, {row.RequestId}, {row.Endpoint}, {row.KeyId}, {row.RequestedModel}, 0, 0,
                    {row.CostNanoUsd}, 0, 1, 0, 0, 0, 200, 0)
                """, Ct);
        }
    }
}
