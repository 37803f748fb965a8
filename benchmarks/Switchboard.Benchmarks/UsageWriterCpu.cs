using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Accounting;
using Switchboard.Data;
using Switchboard.Data.Usage;

namespace Switchboard.Benchmarks;

/// <summary>
/// The usage writer's CPU per row, off the request path: records queued (built beforehand) and written in batches
/// by the real <see cref="UsageWriter"/> into SQLite, or PostgreSQL when a connection string is given; the process's
/// CPU time over the rows (the writer, the driver and, for SQLite, the database engine itself).
/// <c>dotnet run -c Release --project benchmarks/Switchboard.Benchmarks -- usage-cpu [ROWS] [NPGSQL-CONNECTION]</c>
/// </summary>
public static class UsageWriterCpu
{
    // Arrival times of the records made so far: rounds follow one another as a gateway's requests would.
    private static DateTimeOffset s_clock = DateTimeOffset.UtcNow;

    public static async Task RunAsync(string[] args)
    {
        var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
        var folder = Directory.CreateTempSubdirectory("switchboard-bench-");
        try
        {
            var options = args.Length > 1
                ? new DatabaseOptions { Provider = "postgres", Connection = args[1], SpillPath = Path.Combine(folder.FullName, "spill.jsonl") }
                : new DatabaseOptions { Connection = $"Data Source={Path.Combine(folder.FullName, "bench.db")}", SpillPath = Path.Combine(folder.FullName, "spill.jsonl") };
            var database = new SwitchboardDatabase(options);
            await database.MigrateAsync(CancellationToken.None);
            using var writer = new UsageWriter(database, null, TimeProvider.System, NullLogger<UsageWriter>.Instance);
            await writer.StartAsync(CancellationToken.None);
            await WriteAsync(writer, Records(rows / 10));
            for (var round = 0; round < 6; round++)
            {
                var records = Records(rows);
                var process = Process.GetCurrentProcess();
                var cpu = process.TotalProcessorTime;
                var wall = Stopwatch.StartNew();
                await WriteAsync(writer, records);
                process.Refresh();
                var used = process.TotalProcessorTime - cpu;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"usage writer, {(database.IsPostgres ? "PostgreSQL" : "SQLite")}: {rows:N0} rows, {used.TotalMicroseconds / rows:0.00} µs CPU per row, {rows / wall.Elapsed.TotalSeconds:N0} rows/s, spilled {writer.Spilled}, load average {File.ReadAllText("/proc/loadavg")[..14]}"));
            }

            // Records made as requests make them, one at a time, and queued at once: what the queue keeps alive through
            // young-generation collections is what the gen-1 count and the bytes promoted show.
            for (var round = 0; round < 3; round++)
            {
                var process = Process.GetCurrentProcess();
                var cpu = process.TotalProcessorTime;
                var allocated = GC.GetTotalAllocatedBytes(precise: true);
                var (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
                var wall = Stopwatch.StartNew();
                await WriteMadeAsync(writer, rows);
                process.Refresh();
                var used = process.TotalProcessorTime - cpu;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"usage writer, {(database.IsPostgres ? "PostgreSQL" : "SQLite")}, records made one by one: {rows:N0} rows, {used.TotalMicroseconds / rows:0.00} µs CPU per row, {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)rows:0} B allocated per row (record included), GCs gen0/gen1/gen2 {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}, promoted by the last young GC {GC.GetGCMemoryInfo(GCKind.Ephemeral).PromotedBytes / 1e3:0} KB, spilled {writer.Spilled}, {rows / wall.Elapsed.TotalSeconds:N0} rows/s, load average {File.ReadAllText("/proc/loadavg")[..14]}"));
            }

            await writer.StopAsync(CancellationToken.None);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    private static List<UsageRecord> Records(int count)
    {
        var records = new List<UsageRecord>(count);
        var start = TakeArrivals(count);
        for (var i = 0; i < count; i++)
        {
            records.Add(Record(start, i, "gpt-4o-mini"));
        }

        return records;
    }

    private static async Task WriteMadeAsync(UsageWriter writer, int count)
    {
        var start = TakeArrivals(count);
        for (var i = 0; i < count; i++)
        {
            // The requested model is parsed from each request's JSON: a string of its own every time.
            writer.TryEnqueue(Record(start, i, string.Concat("gpt-4o", "-mini")));
            if (i % 500 == 499)
            {
                // Paced below the writer's speed (a pause every 500 records): the writer gathers for its flush interval meanwhile.
                await Task.Delay(1);
            }
        }

        await writer.FlushAsync(CancellationToken.None);
    }

    /// <summary>The arrival time of the first of the next <paramref name="count"/> records (20,000 requests a second).</summary>
    private static DateTimeOffset TakeArrivals(int count)
    {
        var start = s_clock;
        s_clock = start.AddTicks(count * 500L);
        return start;
    }

    private static UsageRecord Record(DateTimeOffset start, int i, string requestedModel) => new()
    {
        // Ids are made from the arrival time, which therefore has to move as it would.
        Timestamp = start.AddTicks(i * 500L),
        RequestId = "req_" + i.ToString("x24", CultureInfo.InvariantCulture),
        KeyId = "key_bench0000000000000000",
        User = "alice",
        RequestedModel = requestedModel,
        ServedModel = "gpt-4o-mini",
        Provider = "upstream",
        Deployment = "upstream/gpt-4o-mini",
        InputTokens = 19,
        OutputTokens = 9,
        CostUsd = 0.00000825m,
        LatencyMs = 0.5,
        Attempts = 1,
        CacheResult = "bypass",
        Status = 200,
    };

    private static async Task WriteAsync(UsageWriter writer, List<UsageRecord> records)
    {
        // In steps below the queue's capacity, as traffic would: a full queue would spill instead.
        for (var i = 0; i < records.Count; i++)
        {
            writer.TryEnqueue(records[i]);
            if (i % 5_000 == 4_999)
            {
                await writer.FlushAsync(CancellationToken.None);
            }
        }

        await writer.FlushAsync(CancellationToken.None);
    }
}
