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
            context.Usage.AddRange(
                Row("a", day1, 1), Row("a", day1.AddHours(-5), 2), Row("a", day2, 4), Row("b", day2, 8), Row(null, day2, 16));
            await context.SaveChangesAsync(Ct);
        }

        await database.MigrateAsync(Ct);

        var (kept, fromRows) = await TestDatabases.SpendPerDayAsync(database);
        Assert.Equal([("a", DateOnly.FromDateTime(day1), 3L), ("a", DateOnly.FromDateTime(day2), 4L), ("b", DateOnly.FromDateTime(day2), 8L)], kept);
        Assert.Equal(fromRows, kept);

        static UsageEntity Row(string? key, DateTime at, long nanoUsd) => new()
        {
            Id = Guid.CreateVersion7(at),
            OccurredAt = at,
            RequestId = "r",
            Endpoint = "chat",
            KeyId = key,
            RequestedModel = "m",
            CostNanoUsd = nanoUsd,
        };
    }
}
