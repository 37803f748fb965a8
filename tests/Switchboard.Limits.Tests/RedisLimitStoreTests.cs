using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Switchboard.Limits.Tests;

/// <summary>The Redis store against a real Redis: the shared one for counting, one of the test's own for outages.</summary>
public sealed class RedisLimitStoreTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 3, 14, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly string _prefix = "test-" + Guid.NewGuid().ToString("N");
    private readonly List<IAsyncDisposable> _disposables = [];
    private readonly List<IDisposable> _stores = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }
    }

    /// <summary>One replica: its own connection and local fallback, the shared clock and key prefix.</summary>
    private (RedisLimitStore Store, MemoryLimitStore Local, CollectingLogger<RedisLimitStore> Log) Replica(
        string configuration, LimitAlgorithm algorithm = LimitAlgorithm.TokenBucket, bool failOpen = true, ISpendSource? spend = null)
    {
        var settings = new LimiterSettings { Algorithm = algorithm, RedisPrefix = _prefix, FailOpen = failOpen };
        var connection = (ConnectionMultiplexer)RedisConnection.Connect(configuration, TimeSpan.FromSeconds(2));
        _disposables.Add(connection);
        var local = new MemoryLimitStore(settings, spend ?? NoSpendSource.Instance, _time);
        _stores.Add(local);
        var log = new CollectingLogger<RedisLimitStore>();
        return (new RedisLimitStore(connection, settings, local, spend ?? NoSpendSource.Instance, _time, log), local, log);
    }

    private static AdmissionRequest Request(long estimatedTokens = 0, BudgetLimit? budget = null, params RateLimit[] limits) =>
        new() { Limits = limits, EstimatedTokens = estimatedTokens, Budget = budget };

    private static RateLimit Key(long rpm, long tpm = 0) => new(LimitScope.Key, "k1", rpm, tpm);

    private static string SharedRedis()
    {
        Assert.SkipWhen(RedisServer.SharedMissingReason is not null, RedisServer.SharedMissingReason ?? string.Empty);
        return RedisServer.Shared!;
    }

    [Fact]
    public async Task TwoReplicasEnforceOneLimitTogether()
    {
        var redis = SharedRedis();
        var (a, _, _) = Replica(redis);
        var (b, _, _) = Replica(redis);
        var limits = new[] { Key(5), new RateLimit(LimitScope.User, "k1/alice", 100, 0) };

        var outcomes = new List<bool>();
        for (var i = 0; i < 8; i++)
        {
            outcomes.Add((await (i % 2 == 0 ? a : b).AdmitAsync(Request(limits: limits), Ct)).IsAdmitted);
        }

        Assert.Equal([true, true, true, true, true, false, false, false], outcomes);
        var refused = await b.AdmitAsync(Request(limits: limits), Ct);
        Assert.Equal(TimeSpan.FromSeconds(12), refused.RetryAfter);
        Assert.Equal(Key(5), refused.ExceededLimit);
        Assert.False(refused.Local);
    }

    [Fact]
    public async Task ConcurrentRequestsOnTwoReplicasNeverExceedTheLimit()
    {
        var redis = SharedRedis();
        var (a, _, _) = Replica(redis);
        var (b, _, _) = Replica(redis);
        var admitted = 0;
        await Parallel.ForAsync(0, 400, async (i, ct) =>
        {
            if ((await (i % 2 == 0 ? a : b).AdmitAsync(Request(5, null, Key(100, 100_000)), ct)).IsAdmitted)
            {
                Interlocked.Increment(ref admitted);
            }
        });

        Assert.Equal(100, admitted);
    }

    [Fact]
    public async Task HeadersAndRetryAfterMatchTheMemoryStore()
    {
        var redis = SharedRedis();
        foreach (var algorithm in new[] { LimitAlgorithm.TokenBucket, LimitAlgorithm.SlidingWindow })
        {
            var (shared, _, _) = Replica(redis, algorithm);
            using var memory = new MemoryLimitStore(new LimiterSettings { Algorithm = algorithm }, NoSpendSource.Instance, _time);
            var limits = new[] { new RateLimit(LimitScope.Key, "cmp-" + algorithm, 3, 100), new RateLimit(LimitScope.Model, "cmp-" + algorithm, 10, 70) };
            var deployments = new[] { new RateLimit(LimitScope.Deployment, "a-" + algorithm, 2, 0), new RateLimit(LimitScope.Deployment, "b-" + algorithm, 1, 50) };
            for (var i = 0; i < 12; i++)
            {
                var request = Request(30, null, limits) with { Alternatives = i % 3 == 0 ? [] : deployments };
                var fromRedis = await shared.AdmitAsync(request, Ct);
                var fromMemory = await memory.AdmitAsync(request, Ct);
                Assert.Equal(fromMemory.Alternative, fromRedis.Alternative);
                Assert.Equal(fromMemory.Outcome, fromRedis.Outcome);
                Assert.Equal(fromMemory.RetryAfter, fromRedis.RetryAfter);
                Assert.Equal(fromMemory.Requests, fromRedis.Requests);
                Assert.Equal(fromMemory.Tokens, fromRedis.Tokens);
                Assert.Equal(fromMemory.ExceededLimit, fromRedis.ExceededLimit);
                Assert.Equal(fromMemory.ExceededTokens, fromRedis.ExceededTokens);
                if (i % 2 == 1 && fromMemory.IsAdmitted)
                {
                    shared.Settle(fromRedis, 50, 0);
                    memory.Settle(fromMemory, 50, 0);
                }

                _time.Advance(TimeSpan.FromSeconds(i % 4 == 0 ? 7 : 2));
            }
        }
    }

    [Fact]
    public async Task SettlingOnOneReplicaRefundsForBoth()
    {
        var redis = SharedRedis();
        var (a, _, _) = Replica(redis);
        var (b, _, _) = Replica(redis);
        var first = await a.AdmitAsync(Request(80, null, Key(0, 100)), Ct);
        Assert.False((await b.AdmitAsync(Request(80, null, Key(0, 100)), Ct)).IsAdmitted);

        a.Settle(first, actualTokens: 20, costNanos: 0);

        // The correction is sent without waiting; Redis runs commands in order, so a's next command sees it.
        await a.AdmitAsync(Request(0, null, new RateLimit(LimitScope.Model, "flush", 1, 0)), Ct);
        var second = await b.AdmitAsync(Request(80, null, Key(0, 100)), Ct);
        Assert.True(second.IsAdmitted);
        Assert.Equal(0, second.Tokens!.Value.Remaining);
    }

    [Fact]
    public async Task BudgetIsSharedSeededOnceAndRefusedOnEveryReplica()
    {
        var redis = SharedRedis();
        var spend = new FixedSpendSource(new SpendTotals(0.5m, 0.5m, 0.5m));
        var (a, _, _) = Replica(redis, spend: spend);
        var (b, _, _) = Replica(redis, spend: spend);
        var budget = new BudgetLimit("k-budget", PerDay: 1m);

        var first = await a.AdmitAsync(Request(budget: budget, limits: []), Ct);
        Assert.True(first.IsAdmitted);
        Assert.True((await b.AdmitAsync(Request(budget: budget, limits: []), Ct)).IsAdmitted);
        a.Settle(first, 0, Usd.ToNanos(0.5m));
        await a.AdmitAsync(Request(0, null, new RateLimit(LimitScope.Model, "flush", 1, 0)), Ct);

        var refused = await b.AdmitAsync(Request(budget: budget, limits: []), Ct);
        Assert.Equal(AdmissionOutcome.OverBudget, refused.Outcome);
        Assert.Equal(BudgetPeriod.Day, refused.ExceededBudget);
        Assert.Equal(TimeSpan.FromHours(12), refused.RetryAfter);

        // Each replica asked once; the second one's seed did not overwrite what the first had counted.
        Assert.Equal(2, spend.Calls);
    }

    [Fact]
    public async Task BudgetCountersAreSeededAgainAfterRedisLosesThem()
    {
        var redis = SharedRedis();
        var spend = new FixedSpendSource(new SpendTotals(2m, 2m, 2m));
        var (a, _, _) = Replica(redis, spend: spend);
        var budget = new BudgetLimit("k-flushed", Total: 2m);
        Assert.Equal(AdmissionOutcome.OverBudget, (await a.AdmitAsync(Request(budget: budget, limits: []), Ct)).Outcome);

        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        await connection.GetDatabase().KeyDeleteAsync($"{_prefix}:spend:k-flushed:t");

        Assert.Equal(AdmissionOutcome.OverBudget, (await a.AdmitAsync(Request(budget: budget, limits: []), Ct)).Outcome);
        Assert.Equal(2, spend.Calls);
    }

    [Fact]
    public async Task WithRedisStoppedRequestsFlowUnderLocalLimitsAndTheLogSaysSoOnce()
    {
        Assert.SkipWhen(RedisServer.ExecutableMissingReason is not null, RedisServer.ExecutableMissingReason ?? string.Empty);
        var server = await RedisServer.StartAsync(Ct);
        _disposables.Add(server);
        var (store, _, log) = Replica(server.Configuration);
        Assert.True((await store.AdmitAsync(Request(limits: Key(3)), Ct)).IsAdmitted);

        await server.StopAsync();
        var outcomes = new List<(bool Admitted, bool Local)>();
        for (var i = 0; i < 5; i++)
        {
            var admission = await store.AdmitAsync(Request(limits: Key(3)), Ct);
            outcomes.Add((admission.IsAdmitted, admission.Local));
        }

        // The local counters start full: three more pass in this process, then its own limit holds.
        Assert.Equal([(true, true), (true, true), (true, true), (false, true), (false, true)], outcomes);
        Assert.True(store.IsDegraded);
        Assert.Equal(1, log.Count(300));

        await server.RestartAsync(Ct);
        var back = await WaitUntilSharedAgainAsync(store);
        Assert.True(back.IsAdmitted);
        Assert.Equal(1, log.Count(300));
        Assert.Equal(1, log.Count(302));
    }

    [Fact]
    public async Task WithRedisStoppedAndFailClosedRequestsAreRefused()
    {
        Assert.SkipWhen(RedisServer.ExecutableMissingReason is not null, RedisServer.ExecutableMissingReason ?? string.Empty);
        var server = await RedisServer.StartAsync(Ct);
        _disposables.Add(server);
        var (store, _, log) = Replica(server.Configuration, failOpen: false);
        Assert.True((await store.AdmitAsync(Request(limits: Key(3)), Ct)).IsAdmitted);

        await server.StopAsync();
        for (var i = 0; i < 3; i++)
        {
            var refused = await store.AdmitAsync(Request(limits: Key(3)), Ct);
            Assert.Equal(AdmissionOutcome.Unavailable, refused.Outcome);
            Assert.Equal(TimeSpan.FromSeconds(1), refused.RetryAfter);
        }

        Assert.Equal(1, log.Count(301));
        await server.RestartAsync(Ct);
        Assert.True((await WaitUntilSharedAgainAsync(store)).IsAdmitted);
    }

    [Fact]
    public async Task ARequestWithoutLimitsNeverAsksRedis()
    {
        var (store, _, log) = Replica("127.0.0.1:1");
        var admission = await store.AdmitAsync(Request(100, null, new RateLimit(LimitScope.Model, "m", 0, 0)), Ct);
        Assert.Same(Admission.Unlimited, admission);
        Assert.Empty(log.Entries);
    }

    /// <summary>The connection reconnects in the background; requests decide locally until it has.</summary>
    private async Task<Admission> WaitUntilSharedAgainAsync(RedisLimitStore store)
    {
        while (true)
        {
            // Past the pause after a failed call, so the next request asks Redis again.
            _time.Advance(TimeSpan.FromSeconds(1));
            var admission = await store.AdmitAsync(Request(limits: new RateLimit(LimitScope.Model, "probe", 1_000_000, 0)), Ct);
            if (!admission.Local)
            {
                return admission;
            }

            await Task.Delay(50, Ct);
        }
    }
}
