using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Accounting;
using Switchboard.Data.Usage;

namespace Switchboard.Data.Tests;

/// <summary>
/// Ranged queries by arrival time. On SQLite they search the table by its key, an integer of the id's millisecond (ids
/// are version 7 GUIDs of the arrival time); rows written before that change carry their completion time in the id,
/// and must still be counted by their arrival time.
/// </summary>
public sealed class UsageRangesTests : DatabaseTest
{
    private static readonly DateTimeOffset From = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = new(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    // Rows made before ids were arrival times: the id is the time the request ended.
    private static UsageRecord Legacy(string requestId, DateTimeOffset arrived, TimeSpan took, decimal cost) =>
        TestDatabases.Record(requestId, "key_a", cost, arrived) with { Id = Guid.CreateVersion7(arrived + took) };

    private async Task<SwitchboardDatabase> SeededAsync(string provider)
    {
        var database = await DatabaseAsync(provider);
        using var writer = new UsageWriter(database, null, TimeProvider.System, NullLogger<UsageWriter>.Instance);
        await writer.StartAsync(Ct);
        UsageRecord[] records =
        [
            TestDatabases.Record("before", "key_a", 1m, From - Tick),
            TestDatabases.Record("first", "key_a", 2m, From),
            TestDatabases.Record("last", "key_a", 4m, To - Tick),
            TestDatabases.Record("after", "key_a", 8m, To),
            Legacy("legacy-before-ends-inside", From - TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(5), 16m),
            Legacy("legacy-inside-ends-after", To - TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10), 32m),
            Legacy("legacy-last-ends-after", To - Tick, TimeSpan.FromMilliseconds(3), 64m),
            Legacy("legacy-after", To + TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1), 128m),
        ];
        foreach (var record in records)
        {
            writer.TryEnqueue(record);
        }

        await writer.StopAsync(Ct);
        return database;
    }

    [Fact]
    public void AnIdIsMadeFromTheArrivalTimeAndKeptByCopies()
    {
        var record = TestDatabases.Record("r", at: From.AddTicks(1234));
        var copy = record with { Status = 500 };

        Assert.Equal(From.ToUnixTimeMilliseconds().ToString("X12", System.Globalization.CultureInfo.InvariantCulture), record.Id.ToString("N")[..12].ToUpperInvariant());
        Assert.Equal(7, record.Id.Version);
        Assert.Equal(record.Id, copy.Id);
        Assert.NotEqual(record.Id, TestDatabases.Record("r", at: From.AddTicks(1234)).Id);
    }

    [Fact]
    public void AnExplicitIdWinsWhereverItIsSet()
    {
        var id = Guid.CreateVersion7(To);

        Assert.Equal(id, new UsageRecord { Id = id, Timestamp = From, RequestId = "r", RequestedModel = "m" }.Id);
        Assert.Equal(id, new UsageRecord { Timestamp = From, Id = id, RequestId = "r", RequestedModel = "m" }.Id);
    }

    [Fact]
    public void KeyBoundsSortAroundEveryKeyOfTheirMillisecond()
    {
        var at = From.AddMilliseconds(7);
        var id = Guid.CreateVersion7(at);
        var earlier = Guid.CreateVersion7(at.AddMilliseconds(-1));

        Assert.Equal(at.ToUnixTimeMilliseconds(), UsageSequence.MillisecondOf(id));
        Assert.True(UsageSequence.From(at) <= UsageSequence.For(id, 0));
        Assert.True(UsageSequence.From(at) > UsageSequence.For(earlier, -1));
        Assert.True(UsageSequence.Before(at) > UsageSequence.For(id, -1));
        Assert.Equal(UsageSequence.First(at.ToUnixTimeMilliseconds()), UsageSequence.Next(UsageSequence.For(id, -1)));
        Assert.Null(UsageSequence.From(DateTimeOffset.MinValue));
        Assert.Null(UsageSequence.Before(DateTimeOffset.MaxValue));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task RangedTotalsCountRowsByArrivalTimeAtBothEnds(string provider)
    {
        var queries = new UsageQueries(await SeededAsync(provider));

        var day = Assert.Single(await queries.GetTotalsAsync(From, To, UsageGrouping.None, Ct));
        var after = Assert.Single(await queries.GetTotalsAsync(To, null, UsageGrouping.None, Ct));
        var before = Assert.Single(await queries.GetTotalsAsync(null, From, UsageGrouping.None, Ct));

        Assert.Equal(2m + 4m + 32m + 64m, day.CostUsd);
        Assert.Equal(4, day.Requests);
        Assert.Equal(8m + 128m, after.CostUsd);
        Assert.Equal(1m + 16m, before.CostUsd);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task SpendSinceAnInstantCountsRowsByArrivalTime(string provider)
    {
        var queries = new UsageQueries(await SeededAsync(provider));

        Assert.Equal(2m + 4m + 8m + 32m + 64m + 128m, (await queries.GetSpendByKeyAsync(From, Ct))["key_a"]);
        Assert.Equal(8m + 128m, (await queries.GetSpendByKeyAsync(To, Ct))["key_a"]);
        Assert.Equal(255m, (await queries.GetSpendByKeyAsync(DateTimeOffset.MinValue, Ct))["key_a"]);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task ARangedExportHasExactlyTheRowsThatArrivedInIt(string provider)
    {
        var queries = new UsageQueries(await SeededAsync(provider));
        using var text = new StringWriter();

        await queries.ExportCsvAsync(From, To, text, Ct);

        var ids = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')[1]);
        Assert.Equal(["first", "legacy-inside-ends-after", "last", "legacy-last-ends-after"], ids.Take(2).Concat(ids.Skip(2).Order(StringComparer.Ordinal)));
    }

    [Fact]
    public async Task SqliteSearchesThePrimaryKeyForEveryRangedQuery()
    {
        var database = await SeededAsync("sqlite");
        await using var context = database.CreateContext();

        string[] plans =
        [
            await PlanAsync(database, UsageQueries.Range(context, true, From, To)),
            await PlanAsync(database, UsageQueries.Range(context, true, From, null)),
            await PlanAsync(database, UsageQueries.Range(context, true, null, To)),
            await PlanAsync(database, UsageQueries.Export(context, true, From, To)),
            await PlanAsync(database, UsageQueries.SpendByKey(context, true, From, To)),
        ];

        Assert.All(plans, plan => Assert.Contains("USING INTEGER PRIMARY KEY (rowid", plan, StringComparison.Ordinal));
        Assert.All(plans, plan => Assert.DoesNotContain("SCAN", plan, StringComparison.Ordinal));
        Assert.Contains("USING INTEGER PRIMARY KEY (rowid", await PlanAsync(database, UsageQueries.WithIds(context, true, [Guid.CreateVersion7(From)])), StringComparison.Ordinal);
        // The table read backwards: no sort of its own.
        Assert.DoesNotContain("B-TREE", await PlanAsync(database, UsageQueries.NewestFirst(context, true, "r").Take(1)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SqliteKeepsNoIndexOfUsage()
    {
        var database = await DatabaseAsync("sqlite");
        await using var connection = new SqliteConnection(database.Options.Connection);
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'usage' ORDER BY name";
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            names.Add(reader.GetString(0));
        }

        Assert.Empty(names);
    }

    [Fact]
    public async Task ANewSqliteFileHasLargePagesAndKeepsThemWhenMigratedAgain()
    {
        var options = TestDatabases.Sqlite(Folder);
        await TestDatabases.MigratedAsync(options);
        await TestDatabases.MigratedAsync(options);

        await using var connection = new SqliteConnection(options.Connection);
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA page_size";
        Assert.Equal((long)SwitchboardDatabase.SqlitePageSize, await command.ExecuteScalarAsync(Ct));
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", await command.ExecuteScalarAsync(Ct));
    }

    // SQLite's plan does not depend on the parameters' values: they are left unbound.
    private static async Task<string> PlanAsync<T>(SwitchboardDatabase database, IQueryable<T> query)
    {
        var sql = string.Join('\n', query.ToQueryString().Split('\n').Where(l => !l.StartsWith(".param", StringComparison.Ordinal)));
        await using var connection = new SqliteConnection(database.Options.Connection);
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            lines.Add(reader.GetString(3));
        }

        return string.Join('\n', lines);
    }
}
