using Switchboard.Accounting;
using Switchboard.Data.Usage;

namespace Switchboard.Data.Tests;

/// <summary>The reused rows the usage writer queues: the values a record had, nothing of the record before.</summary>
public sealed class UsageRowTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 5, 12, 0, 0, 123, TimeSpan.FromHours(1));

    [Fact]
    public void SpilledRowHoldsWhatTheRecordSaidWithLengthsCutAndMoneyInNanoDollars()
    {
        var record = TestDatabases.Record(new string('r', 300), cost: 0.00000825m, at: At) with
        {
            Endpoint = "embeddings",
            Team = "t",
            EndUser = new string('e', 250),
            TimeToFirstTokenMs = 3.5,
            Stream = true,
            CacheResult = "hit",
            CachedTokens = 7,
            CostSavedUsd = 0.25m,
            CompressionTokensSaved = 4,
            Status = 502,
            ErrorCode = new string('c', 150),
        };
        var row = new UsageRow();

        row.Fill(record, new SharedStrings(16));
        var usage = row.ToSpilled().Usage;

        Assert.Equal(record.Id, usage.Id);
        Assert.Equal(At.UtcDateTime, usage.OccurredAt);
        Assert.Equal(new string('r', 128), usage.RequestId);
        Assert.Equal("embeddings", usage.Endpoint);
        Assert.Equal(("key_a", "alice", "t"), (usage.KeyId, usage.UserId, usage.TeamId));
        Assert.Equal(new string('e', 200), usage.EndUser);
        Assert.Equal(("m", "upstream-m", "p", "p/upstream-m"), (usage.RequestedModel, usage.ServedModel, usage.Provider, usage.Deployment));
        Assert.Equal((10, 5, 8_250L, 12.5, 3.5, 1, true), (usage.InputTokens, usage.OutputTokens, usage.CostNanoUsd, usage.LatencyMs, usage.TtftMs, usage.Attempts, usage.Stream));
        Assert.Equal(("hit", 7, 250_000_000L, 4, 502), (usage.CacheResult, usage.CachedTokens, usage.CostSavedNanoUsd, usage.CompressionTokensSaved, usage.Status));
        Assert.Equal(new string('c', 100), usage.ErrorCode);
        Assert.False(usage.HasStoredMessages);
    }

    [Fact]
    public void AReusedRowKeepsNothingOfItsPreviousRecord()
    {
        var pool = new UsageRowPool();
        var shared = new SharedStrings(16);
        var row = pool.Rent();
        row.Fill(TestDatabases.Record(new string('x', 100)) with { EndUser = "bob", ErrorCode = "e", Exchange = new StoredExchange { MessagesJson = "[]" } }, shared);
        pool.Return(row);

        var again = pool.Rent();
        var second = TestDatabases.Record("short", keyId: null, model: "other");
        again.Fill(second, shared);
        var usage = again.ToSpilled().Usage;

        Assert.Same(row, again);
        Assert.Equal("short", again.RequestId.ToString());
        Assert.Equal((second.Id, (string?)null, (string?)null, (string?)null, "other"), (usage.Id, usage.KeyId, usage.EndUser, usage.ErrorCode, usage.RequestedModel));
        Assert.Null(again.Exchange);
        Assert.Null(again.Messages);
    }

    [Fact]
    public void ARowReadBackFromTheSpillFileIsTheRowThatWasSpilled()
    {
        var row = new UsageRow();
        row.Fill(TestDatabases.Record("req-1", cost: 1.5m, at: At) with { TimeToFirstTokenMs = 2, ErrorCode = "x" }, new SharedStrings(16));
        var spilled = row.ToSpilled();

        var back = UsageRow.From(spilled).ToSpilled();

        Assert.Equivalent(spilled.Usage, back.Usage, strict: true);
        Assert.Null(back.Messages);
    }

    [Fact]
    public void RepeatedTextsShareTheFirstInstanceUntilTheTableIsFull()
    {
        var shared = new SharedStrings(2);
        var first = new string('m', 3);

        Assert.Same(first, shared.Share(first));
        Assert.Same(first, shared.Share(new string('m', 3)));
        Assert.Equal("b", shared.Share("b"));
        var late = new string('z', 3);
        Assert.Same(late, shared.Share(late));
        Assert.NotSame(late, shared.Share(new string('z', 3)));
    }
}
