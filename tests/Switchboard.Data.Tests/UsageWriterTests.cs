using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Accounting;
using Switchboard.Data.Protection;
using Switchboard.Data.Usage;

namespace Switchboard.Data.Tests;

/// <summary>The batched usage writer against real databases: nothing lost, nothing doubled, memory bounded.</summary>
public sealed class UsageWriterTests : DatabaseTest
{
    private static UsageWriter Writer(SwitchboardDatabase database, TimeProvider? time = null, MessageProtector? protector = null) =>
        new(database, protector, time ?? TimeProvider.System, NullLogger<UsageWriter>.Instance);

    private static async Task<List<Guid>> IdsAsync(SwitchboardDatabase database)
    {
        await using var context = database.CreateContext();
        return await context.Usage.Select(u => u.Id).ToListAsync(Ct);
    }

    [Fact]
    public async Task ASqliteRowWhoseKeyIsTakenGetsTheNextKeyOfItsMillisecond()
    {
        var database = await DatabaseAsync("sqlite");
        var record = TestDatabases.Record("mine", "key_a", 1m);
        var taken = UsageSequence.For(record.Id, 42);
        // Another process's row holds the key this process is about to give the record.
        await using (var context = database.CreateContext())
        {
            await context.Database.ExecuteSqlAsync($"""
                INSERT INTO usage (seq, id, occurred_at, request_id, endpoint, requested_model, input_tokens, output_tokens,
                    cost_nano_usd, latency_ms, attempts, stream, cached_tokens, cost_saved_nano_usd, status, has_stored_messages)
                VALUES ({taken}, {Guid.CreateVersion7().ToString().ToUpperInvariant()}, {"2026-12-01 00:00:00"}, {"theirs"}, {"chat"}, {"m"}, 0, 0, 0, 0, 1, 0, 0, 0, 200, 0)
                """, Ct);
        }

        SqliteWriteGate.For(database.Options.Connection).ContinueUsageKeysAfter(41);
        using var writer = Writer(database);
        await writer.StartAsync(Ct);
        Assert.True(writer.TryEnqueue(record));
        await writer.StopAsync(Ct);

        await using var check = database.CreateContext();
        var rows = await check.Usage.OrderBy(u => EF.Property<long>(u, UsageSequence.Property))
            .Select(u => new { u.RequestId, u.Id, Seq = EF.Property<long>(u, UsageSequence.Property) })
            .ToListAsync(Ct);
        Assert.Equal(["theirs", "mine"], rows.Select(r => r.RequestId));
        Assert.Equal(record.Id, rows[1].Id);
        Assert.Equal(UsageSequence.Next(taken), rows[1].Seq);
        Assert.Equal(0, writer.Spilled);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task EveryQueuedRecordReachesTheDatabase(string provider)
    {
        var database = await DatabaseAsync(provider);
        using var writer = Writer(database);
        await writer.StartAsync(Ct);
        var records = Enumerable.Range(0, 1500).Select(i => TestDatabases.Record($"r{i}")).ToList();

        foreach (var record in records)
        {
            Assert.True(writer.TryEnqueue(record));
        }

        await writer.FlushAsync(Ct);
        await writer.StopAsync(Ct);

        var ids = await IdsAsync(database);
        Assert.Equal(records.Select(r => r.Id).Order(), ids.Order());
        Assert.Equal(0, writer.Spilled);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task EachRowOfABatchKeepsItsOwnValuesWhenNeighboursRepeatOrDiffer(string provider)
    {
        var database = await DatabaseAsync(provider);
        using var writer = Writer(database);
        await writer.StartAsync(Ct);
        // Runs of equal values, a change, a null in between and the earlier value back: the SQLite insert skips
        // binding a value equal to the previous row's, so each of these must still land in its own row.
        var records = Enumerable.Range(0, 40).Select(i => TestDatabases.Record($"r{i}", keyId: (i / 3 % 3) switch { 0 => "key_a", 1 => null, _ => "key_b" }, cost: i % 4 == 0 ? 0.5m : 0.001m, model: i % 5 == 0 ? "other" : "m") with
        {
            User = i % 7 == 0 ? null : "alice",
            ErrorCode = i % 6 == 0 ? "upstream_error" : null,
            Status = i % 6 == 0 ? 502 : 200,
            Stream = i % 2 == 0,
            TimeToFirstTokenMs = i % 3 == 0 ? 4.5 : null,
        }).ToList();
        records.ForEach(r => writer.TryEnqueue(r));
        await writer.FlushAsync(Ct);
        await writer.StopAsync(Ct);

        await using var context = database.CreateContext();
        var rows = await context.Usage.ToDictionaryAsync(u => u.Id, Ct);
        Assert.Equal(records.Count, rows.Count);
        foreach (var record in records)
        {
            var row = rows[record.Id];
            Assert.Equal((record.RequestId, record.KeyId, record.User, record.RequestedModel, record.ServedModel, record.ErrorCode, record.Status, record.Stream, record.TimeToFirstTokenMs, Money.ToNano(record.CostUsd)),
                (row.RequestId, row.KeyId, row.UserId, row.RequestedModel, row.ServedModel, row.ErrorCode, row.Status, row.Stream, row.TtftMs, row.CostNanoUsd));
        }
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task StoppingDrainsTheQueueIntoTheDatabase(string provider)
    {
        var database = await DatabaseAsync(provider);
        using var writer = Writer(database);
        await writer.StartAsync(Ct);
        for (var i = 0; i < 3000; i++)
        {
            writer.TryEnqueue(TestDatabases.Record($"r{i}"));
        }

        await writer.StopAsync(Ct);

        Assert.Equal(3000, (await IdsAsync(database)).Count);
        Assert.False(File.Exists(writer.SpillPath));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task ABatchMovesItsKeysLastUsedTimeForwardOnly(string provider)
    {
        var database = await DatabaseAsync(provider);
        var store = new Switchboard.Data.Keys.KeyStore(database, TimeProvider.System);
        var key = (await store.CreateAsync(new Switchboard.Data.Keys.KeySpec { Name = "a" }, Ct)).Info.Key.Id;
        var other = (await store.CreateAsync(new Switchboard.Data.Keys.KeySpec { Name = "b" }, Ct)).Info.Key.Id;
        var latest = new DateTimeOffset(2026, 12, 5, 10, 0, 0, 123, TimeSpan.Zero);
        using var writer = Writer(database);
        await writer.StartAsync(Ct);

        writer.TryEnqueue(TestDatabases.Record("r1", key, at: latest.AddSeconds(-30)));
        writer.TryEnqueue(TestDatabases.Record("r2", key, at: latest));
        writer.TryEnqueue(TestDatabases.Record("r3", keyId: null, at: latest.AddHours(1)));
        await writer.FlushAsync(Ct);
        writer.TryEnqueue(TestDatabases.Record("r4", key, at: latest.AddMinutes(-1)));
        await writer.FlushAsync(Ct);
        await writer.StopAsync(Ct);

        var keys = (await store.ListAsync(false, Ct)).ToDictionary(k => k.Key.Id);
        Assert.Equal(latest, keys[key].LastUsedAt);
        Assert.Null(keys[other].LastUsedAt);
    }

    [Fact]
    public async Task StoppingWithNoTimeLeftSpillsWhatIsStillQueued()
    {
        var database = await DatabaseAsync("sqlite");
        var records = Enumerable.Range(0, 50).Select(i => TestDatabases.Record($"r{i}")).ToList();
        using (var writer = Writer(database))
        {
            // Not started: the queue only fills, as when the writer is stuck on a slow database.
            records.ForEach(r => writer.TryEnqueue(r));

            using var noTime = new CancellationTokenSource();
            await noTime.CancelAsync();
            await writer.StartAsync(Ct);
            await writer.StopAsync(noTime.Token);

            Assert.True((await IdsAsync(database)).Count + writer.Spilled >= records.Count);
        }

        // A batch whose insert committed just before the abort is in the file too (its fate was unknown): the next
        // writer's replay inserts only what the database lacks, so every record is there once.
        using var next = Writer(database);
        await next.StartAsync(Ct);
        await next.StopAsync(Ct);

        Assert.Equal(records.Select(r => r.Id).Order(), (await IdsAsync(database)).Order());
    }

    [Fact]
    public async Task AFullQueueSpillsToTheFileInsteadOfGrowing()
    {
        var options = TestDatabases.Sqlite(Folder);
        options.QueueCapacity = 10;
        var database = await TestDatabases.MigratedAsync(options);
        using var writer = Writer(database);
        var records = Enumerable.Range(0, 100).Select(i => TestDatabases.Record($"r{i}")).ToList();

        var queued = records.Count(writer.TryEnqueue);

        Assert.Equal(10, queued);
        Assert.Equal(10, writer.Queued);
        Assert.Equal(90, File.ReadLines(writer.SpillPath).Count());

        await writer.StartAsync(Ct);
        await writer.FlushAsync(Ct);
        await writer.StopAsync(Ct);
        var ids = await IdsAsync(database);
        Assert.Equal(records.Select(r => r.Id).Order(), ids.Order());
    }

    [Fact]
    public async Task AnOutageSpillsRecordsAndTheyAreReplayedOnceTheDatabaseIsBack()
    {
        var options = await OptionsAsync("postgres");
        await TestDatabases.MigratedAsync(options);
        await using var link = CuttableTcpLink.Start(TestPostgres.ServerPort(options.Connection));
        options.Connection = TestPostgres.ThroughPort(options.Connection, link.Port);
        var database = new SwitchboardDatabase(options);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var writer = Writer(database, time);
        await writer.StartAsync(Ct);
        var before = Enumerable.Range(0, 100).Select(i => TestDatabases.Record($"before{i}")).ToList();
        var during = Enumerable.Range(0, 100).Select(i => TestDatabases.Record($"during{i}")).ToList();
        var after = TestDatabases.Record("after");

        before.ForEach(r => writer.TryEnqueue(r));
        await writer.FlushAsync(Ct);
        await link.CutAsync();
        during.ForEach(r => writer.TryEnqueue(r));
        await writer.FlushAsync(Ct);

        Assert.Equal(100, writer.Spilled);
        Assert.True(File.Exists(writer.SpillPath));

        link.Restore();
        time.Advance(TimeSpan.FromMinutes(1));
        writer.TryEnqueue(after);
        await writer.FlushAsync(Ct);
        await writer.StopAsync(Ct);

        var ids = await IdsAsync(database);
        Assert.Equal(before.Concat(during).Append(after).Select(r => r.Id).Order(), ids.Order());
        Assert.Empty(Folder.GetFiles("usage-spill*"));
        var (kept, fromRows) = await TestDatabases.SpendPerDayAsync(database);
        Assert.Equal(fromRows, kept);
        Assert.Equal(201_000_000L, Assert.Single(kept).NanoUsd);
    }

    [Fact]
    public async Task SpilledRecordsAreReplayedAtStartWithoutDoublesAndATornLastLineIsSkipped()
    {
        var options = TestDatabases.Sqlite(Folder);
        var unreachable = new DatabaseOptions { Connection = $"Data Source={Path.Combine(Folder.FullName, "missing", "nowhere.db")}", SpillPath = options.SpillPath };
        var records = Enumerable.Range(0, 50).Select(i => TestDatabases.Record($"r{i}")).ToList();
        using (var down = Writer(new SwitchboardDatabase(unreachable)))
        {
            await down.StartAsync(Ct);
            records.ForEach(r => down.TryEnqueue(r));
            await down.StopAsync(Ct);
            Assert.Equal(50, down.Spilled);
        }

        // The process died while writing a line; and 20 of the records did reach the database (a commit whose
        // answer was lost): neither may turn into a missing or a doubled row.
        await File.AppendAllTextAsync(options.SpillPath, "{\"usage\":{\"id\":\"0198", Ct);
        var database = await TestDatabases.MigratedAsync(options);
        using (var first = Writer(database))
        {
            records.Take(20).ToList().ForEach(r => first.TryEnqueue(r));
            await first.StartAsync(Ct);
            await first.FlushAsync(Ct);
            await first.StopAsync(Ct);
        }

        var ids = await IdsAsync(database);
        Assert.Equal(records.Select(r => r.Id).Order(), ids.Order());
        Assert.Empty(Folder.GetFiles("usage-spill*"));
        // The 20 rows that reached the database twice are counted once.
        var (kept, fromRows) = await TestDatabases.SpendPerDayAsync(database);
        Assert.Equal(fromRows, kept);
        Assert.Equal(50_000_000L, Assert.Single(kept).NanoUsd);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task StoredMessagesAreEncryptedInTheDatabaseAndInTheSpillFile(string provider)
    {
        var options = await OptionsAsync(provider);
        options.QueueCapacity = 1;
        var database = await TestDatabases.MigratedAsync(options);
        var protector = new MessageProtector(EncryptionKey.TryParse(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), out _)!, []);
        var exchange = new StoredExchange { MessagesJson = """[{"role":"user","content":"PLAINTEXT-PROMPT"}]""", Answer = "PLAINTEXT-ANSWER" };
        var record = TestDatabases.Record("with-messages") with { Exchange = exchange };
        using var writer = Writer(database, protector: protector);

        // Spilled first (not started, queue of one already full), then written by the replay.
        writer.TryEnqueue(TestDatabases.Record("filler"));
        writer.TryEnqueue(record);
        var spilled = await File.ReadAllTextAsync(writer.SpillPath, Ct);
        await writer.StartAsync(Ct);
        await writer.FlushAsync(Ct);
        await writer.StopAsync(Ct);

        Assert.DoesNotContain("PLAINTEXT", spilled, StringComparison.Ordinal);
        var found = await new UsageQueries(database).FindAsync("with-messages", Ct);
        Assert.NotNull(found);
        Assert.NotNull(found.Value.Messages);
        Assert.DoesNotContain("PLAINTEXT", Encoding.Latin1.GetString(found.Value.Messages.Ciphertext), StringComparison.Ordinal);
        Assert.Equal(exchange, protector.Unprotect(found.Value.Messages));
    }
}
