using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Accounting;
using Switchboard.Data.Usage;

namespace Switchboard.Data.Tests;

public sealed class UsageQueriesTests : DatabaseTest
{
    private static readonly DateTimeOffset Day1 = new(2026, 11, 30, 23, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Day2 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private async Task<SwitchboardDatabase> SeededAsync(string provider)
    {
        var database = await DatabaseAsync(provider);
        using var writer = new UsageWriter(database, null, TimeProvider.System, NullLogger<UsageWriter>.Instance);
        await writer.StartAsync(Ct);
        UsageRecord[] records =
        [
            TestDatabases.Record("1", "key_a", 0.000001m, Day1, "gpt"),
            TestDatabases.Record("2", "key_a", 0.25m, Day2, "gpt"),
            TestDatabases.Record("3", "key_a", 0.125m, Day2.AddHours(1), "o3"),
            TestDatabases.Record("4", "key_b", 1m, Day2, "gpt") with { User = "bob", Status = 502, ErrorCode = "upstream_error" },
            TestDatabases.Record("5", null, 3m, Day2, "gpt") with { User = null, RequestId = "needs,\"quoting\"" },
        ];
        foreach (var record in records)
        {
            writer.TryEnqueue(record);
        }

        await writer.StopAsync(Ct);
        return database;
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task SpendSinceAnInstantIsExactPerKey(string provider)
    {
        var queries = new UsageQueries(await SeededAsync(provider));

        Assert.Equal(0.375001m, await queries.GetSpendAsync("key_a", Day1, Ct));
        Assert.Equal(0.375m, await queries.GetSpendAsync("key_a", Day2, Ct));
        Assert.Equal(0m, await queries.GetSpendAsync("key_a", Day2.AddDays(1), Ct));
        Assert.Equal(0m, await queries.GetSpendAsync("key_none", Day1, Ct));
        var byKey = await queries.GetSpendByKeyAsync(Day2, Ct);
        Assert.Equal(2, byKey.Count);
        Assert.Equal(0.375m, byKey["key_a"]);
        Assert.Equal(1m, byKey["key_b"]);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task TotalsGroupByTheAskedDimensions(string provider)
    {
        var queries = new UsageQueries(await SeededAsync(provider));

        var all = Assert.Single(await queries.GetTotalsAsync(null, null, UsageGrouping.None, Ct));
        Assert.Equal(5, all.Requests);
        Assert.Equal(1, all.Errors);
        Assert.Equal(50, all.InputTokens);
        Assert.Equal(4.375001m, all.CostUsd);

        var byKeyAndDay = await queries.GetTotalsAsync(null, null, UsageGrouping.Key | UsageGrouping.Day, Ct);
        Assert.Contains(byKeyAndDay, t => t is { KeyId: "key_a", Day: "2026-11-30", Requests: 1 });
        Assert.Contains(byKeyAndDay, t => t is { KeyId: "key_a", Day: "2026-12-01", Requests: 2, CostUsd: 0.375m });
        Assert.All(byKeyAndDay, t => Assert.Null(t.Model));

        var inRange = await queries.GetTotalsAsync(Day2, Day2.AddHours(1), UsageGrouping.Model, Ct);
        Assert.Equal(["gpt"], inRange.Select(t => t.Model));
        Assert.Equal(3, inRange[0].Requests);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task TheCsvExportHasALinePerRequest(string provider)
    {
        var queries = new UsageQueries(await SeededAsync(provider));
        using var text = new StringWriter();

        await queries.ExportCsvAsync(null, null, text, Ct);

        var lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, lines.Length);
        Assert.StartsWith("time,request_id,", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("2026-11-30T23:00:00.000Z,1,chat,key_a,alice,", lines[1], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains(",\"needs,\"\"quoting\"\"\",", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task EachKeysSpendPerDayIsKeptWithItsRowsAndAddsUpAcrossBatches(string provider)
    {
        var database = await SeededAsync(provider);
        using (var writer = new UsageWriter(database, null, TimeProvider.System, NullLogger<UsageWriter>.Instance))
        {
            await writer.StartAsync(Ct);
            writer.TryEnqueue(TestDatabases.Record("6", "key_b", 0.5m, Day2.AddHours(3), "gpt"));
            writer.TryEnqueue(TestDatabases.Record("7", "key_c", 0m, Day2, "gpt"));
            await writer.StopAsync(Ct);
        }

        var (kept, fromRows) = await TestDatabases.SpendPerDayAsync(database);

        Assert.Equal(fromRows, kept);
        Assert.Equal(
            [("key_a", new DateOnly(2026, 11, 30), 1_000L), ("key_a", new DateOnly(2026, 12, 1), 375_000_000L), ("key_b", new DateOnly(2026, 12, 1), 1_500_000_000L)],
            kept);
        var queries = new UsageQueries(database);
        Assert.Equal(1.5m, await queries.GetSpendAsync("key_b", new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), Ct));
        Assert.Equal(0.5m, await queries.GetSpendAsync("key_b", Day2.AddMinutes(1), Ct));
        Assert.Equal(0m, await queries.GetSpendAsync("key_c", DateTimeOffset.MinValue, Ct));
        Assert.Equal(0.375001m, (await queries.GetSpendByKeyAsync(DateTimeOffset.MinValue, Ct))["key_a"]);
    }
}
