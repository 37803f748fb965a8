using Microsoft.Extensions.Time.Testing;

namespace Switchboard.Limits.Tests;

public sealed class MemoryLimitStoreTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 3, 14, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private MemoryLimitStore? _store;

    public void Dispose() => _store?.Dispose();

    private MemoryLimitStore Store(LimitAlgorithm algorithm = LimitAlgorithm.TokenBucket, ISpendSource? spend = null) =>
        _store = new MemoryLimitStore(new LimiterSettings { Algorithm = algorithm }, spend ?? NoSpendSource.Instance, _time);

    private static AdmissionRequest Request(long estimatedTokens = 0, BudgetLimit? budget = null, params RateLimit[] limits) =>
        new() { Limits = limits, EstimatedTokens = estimatedTokens, Budget = budget };

    private static RateLimit Key(long rpm, long tpm = 0) => new(LimitScope.Key, "k1", rpm, tpm);

    [Fact]
    public async Task AdmitsUpToTheRpmThenRefusesWithRetryAfter()
    {
        var store = Store();
        for (var i = 0; i < 3; i++)
        {
            var admitted = await store.AdmitAsync(Request(limits: Key(3)), Ct);
            Assert.Equal(AdmissionOutcome.Admitted, admitted.Outcome);
            Assert.Equal(new RateLimitStatus(3, 2 - i, TimeSpan.FromSeconds(20 * (i + 1))), admitted.Requests);
        }

        var refused = await store.AdmitAsync(Request(limits: Key(3)), Ct);
        Assert.Equal(AdmissionOutcome.RateLimited, refused.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(20), refused.RetryAfter);
        Assert.Equal(Key(3), refused.ExceededLimit);
        Assert.False(refused.ExceededTokens);
        Assert.Equal(0, refused.Requests!.Value.Remaining);
    }

    [Fact]
    public async Task TokenBucketRefillsContinuously()
    {
        var store = Store();
        Assert.True((await store.AdmitAsync(Request(limits: Key(2)), Ct)).IsAdmitted);
        Assert.True((await store.AdmitAsync(Request(limits: Key(2)), Ct)).IsAdmitted);
        Assert.False((await store.AdmitAsync(Request(limits: Key(2)), Ct)).IsAdmitted);

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False((await store.AdmitAsync(Request(limits: Key(2)), Ct)).IsAdmitted);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await store.AdmitAsync(Request(limits: Key(2)), Ct)).IsAdmitted);
    }

    [Fact]
    public async Task RefusedRequestTakesNothingFromTheOtherLimits()
    {
        var store = Store();
        var model = new RateLimit(LimitScope.Model, "gpt-4o", 1, 0);
        Assert.True((await store.AdmitAsync(Request(limits: [Key(10), model]), Ct)).IsAdmitted);
        var refused = await store.AdmitAsync(Request(limits: [Key(10), model]), Ct);

        Assert.Equal(AdmissionOutcome.RateLimited, refused.Outcome);
        Assert.Equal(model, refused.ExceededLimit);
        var keyOnly = await store.AdmitAsync(Request(limits: Key(10)), Ct);
        Assert.Equal(8, keyOnly.Requests!.Value.Remaining);
    }

    [Fact]
    public async Task HeadersReportTheTightestLimit()
    {
        var store = Store();
        var user = new RateLimit(LimitScope.User, "k1/alice", 5, 1000);
        var admitted = await store.AdmitAsync(Request(100, null, Key(100, 500), user), Ct);

        Assert.Equal(new RateLimitStatus(5, 4, TimeSpan.FromSeconds(12)), admitted.Requests);
        Assert.Equal(new RateLimitStatus(500, 400, TimeSpan.FromSeconds(12)), admitted.Tokens);
    }

    [Fact]
    public async Task RefusesWhenTheEstimatedTokensDoNotFit()
    {
        var store = Store();
        Assert.True((await store.AdmitAsync(Request(60, null, Key(0, 100)), Ct)).IsAdmitted);
        var refused = await store.AdmitAsync(Request(60, null, Key(0, 100)), Ct);

        Assert.Equal(AdmissionOutcome.RateLimited, refused.Outcome);
        Assert.True(refused.ExceededTokens);
        Assert.Equal(TimeSpan.FromSeconds(12), refused.RetryAfter);
    }

    [Fact]
    public async Task SettlingRefundsTokensTheRequestDidNotUse()
    {
        var store = Store();
        var first = await store.AdmitAsync(Request(80, null, Key(0, 100)), Ct);
        Assert.False((await store.AdmitAsync(Request(80, null, Key(0, 100)), Ct)).IsAdmitted);

        store.Settle(first, actualTokens: 20, costNanos: 0);

        var second = await store.AdmitAsync(Request(80, null, Key(0, 100)), Ct);
        Assert.True(second.IsAdmitted);
        Assert.Equal(0, second.Tokens!.Value.Remaining);
    }

    [Fact]
    public async Task UsageBeyondTheEstimateIsADebtLaterRequestsWaitFor()
    {
        var store = Store();
        var first = await store.AdmitAsync(Request(10, null, Key(0, 100)), Ct);
        store.Settle(first, actualTokens: 150, costNanos: 0);

        var refused = await store.AdmitAsync(Request(10, null, Key(0, 100)), Ct);
        Assert.Equal(AdmissionOutcome.RateLimited, refused.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(36), refused.RetryAfter);
        _time.Advance(TimeSpan.FromSeconds(36));
        Assert.True((await store.AdmitAsync(Request(10, null, Key(0, 100)), Ct)).IsAdmitted);
    }

    [Fact]
    public async Task SettlingTwiceCorrectsOnce()
    {
        var store = Store();
        var first = await store.AdmitAsync(Request(50, null, Key(0, 100)), Ct);
        store.Settle(first, 0, 0);
        store.Settle(first, 0, 0);

        var next = await store.AdmitAsync(Request(0, null, Key(0, 100)), Ct);
        Assert.Equal(100, next.Tokens!.Value.Remaining);
    }

    [Fact]
    public async Task RequestLargerThanTheTokenLimitWaitsForAFullBucket()
    {
        var store = Store();
        Assert.True((await store.AdmitAsync(Request(10, null, Key(0, 100)), Ct)).IsAdmitted);
        var big = await store.AdmitAsync(Request(500, null, Key(0, 100)), Ct);
        Assert.Equal(AdmissionOutcome.RateLimited, big.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(6), big.RetryAfter);

        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.True((await store.AdmitAsync(Request(500, null, Key(0, 100)), Ct)).IsAdmitted);
    }

    [Fact]
    public async Task SlidingWindowWeighsThePreviousMinute()
    {
        var store = Store(LimitAlgorithm.SlidingWindow);
        for (var i = 0; i < 4; i++)
        {
            Assert.True((await store.AdmitAsync(Request(limits: Key(4)), Ct)).IsAdmitted);
        }

        var refused = await store.AdmitAsync(Request(limits: Key(4)), Ct);
        Assert.Equal(AdmissionOutcome.RateLimited, refused.Outcome);
        // 12:00:00 is a window start: the window ends in 60 s; then the 4 weigh 4·(1 - f) and one fits at f = 1/4.
        Assert.Equal(TimeSpan.FromSeconds(75), refused.RetryAfter);

        _time.Advance(TimeSpan.FromSeconds(74));
        Assert.False((await store.AdmitAsync(Request(limits: Key(4)), Ct)).IsAdmitted);
        _time.Advance(TimeSpan.FromSeconds(1));
        var admitted = await store.AdmitAsync(Request(limits: Key(4)), Ct);
        Assert.True(admitted.IsAdmitted);
        Assert.Equal(0, admitted.Requests!.Value.Remaining);
    }

    [Fact]
    public async Task SlidingWindowForgetsEverythingAfterTwoWindows()
    {
        var store = Store(LimitAlgorithm.SlidingWindow);
        for (var i = 0; i < 4; i++)
        {
            await store.AdmitAsync(Request(limits: Key(4)), Ct);
        }

        _time.Advance(TimeSpan.FromMinutes(2));
        var admitted = await store.AdmitAsync(Request(limits: Key(4)), Ct);
        Assert.Equal(3, admitted.Requests!.Value.Remaining);
    }

    [Fact]
    public async Task SlidingWindowSettlesTokensIntoTheWindowTheyWereTakenIn()
    {
        var store = Store(LimitAlgorithm.SlidingWindow);
        var first = await store.AdmitAsync(Request(90, null, Key(0, 100)), Ct);
        Assert.False((await store.AdmitAsync(Request(20, null, Key(0, 100)), Ct)).IsAdmitted);

        store.Settle(first, 10, 0);
        Assert.True((await store.AdmitAsync(Request(20, null, Key(0, 100)), Ct)).IsAdmitted);
    }

    [Fact]
    public async Task ConcurrentRequestsNeverExceedTheLimit()
    {
        var store = Store();
        var admitted = 0;
        await Parallel.ForAsync(0, 2000, async (_, ct) =>
        {
            if ((await store.AdmitAsync(Request(1, null, Key(500, 100_000), new RateLimit(LimitScope.Model, "m", 1000, 0)), ct)).IsAdmitted)
            {
                Interlocked.Increment(ref admitted);
            }
        });

        Assert.Equal(500, admitted);
    }

    [Fact]
    public async Task NoLimitsMeansUnlimitedWithoutHeaders()
    {
        var admitted = await Store().AdmitAsync(Request(100, null, new RateLimit(LimitScope.Model, "m", 0, 0)), Ct);
        Assert.Same(Admission.Unlimited, admitted);
        Assert.Null(admitted.Requests);
    }

    [Fact]
    public async Task SweeperDropsMetersThatRefilled()
    {
        var store = Store();
        await store.AdmitAsync(Request(limits: Key(10)), Ct);
        await store.AdmitAsync(Request(limits: new RateLimit(LimitScope.User, "k1/bob", 10, 0)), Ct);
        Assert.Equal(2, store.MeterCount);

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, store.MeterCount);
        Assert.Equal(9, (await store.AdmitAsync(Request(limits: Key(10)), Ct)).Requests!.Value.Remaining);
    }

    [Fact]
    public async Task RefusesWithInsufficientQuotaOnceTheDailyBudgetIsSpent()
    {
        var store = Store();
        var budget = new BudgetLimit("k1", PerDay: 1m);
        var first = await store.AdmitAsync(Request(budget: budget, limits: []), Ct);
        Assert.True(first.IsAdmitted);
        store.Settle(first, 0, Usd.ToNanos(0.6m));
        var second = await store.AdmitAsync(Request(budget: budget, limits: []), Ct);
        Assert.True(second.IsAdmitted);
        store.Settle(second, 0, Usd.ToNanos(0.4m));

        var refused = await store.AdmitAsync(Request(budget: budget, limits: Key(10)), Ct);
        Assert.Equal(AdmissionOutcome.OverBudget, refused.Outcome);
        Assert.Equal(BudgetPeriod.Day, refused.ExceededBudget);
        Assert.Equal(TimeSpan.FromHours(12), refused.RetryAfter);
        // Nothing was taken from the rate limit by the refused request.
        Assert.Equal(9, (await store.AdmitAsync(Request(limits: Key(10)), Ct)).Requests!.Value.Remaining);
    }

    [Fact]
    public async Task ANewDayStartsTheDailyBudgetAfreshButNotTheMonthly()
    {
        var store = Store();
        var budget = new BudgetLimit("k1", PerDay: 1m, PerMonth: 1.5m);
        store.Settle(await store.AdmitAsync(Request(budget: budget, limits: []), Ct), 0, Usd.ToNanos(1m));
        Assert.Equal(BudgetPeriod.Day, (await store.AdmitAsync(Request(budget: budget, limits: []), Ct)).ExceededBudget);

        _time.Advance(TimeSpan.FromHours(12));
        var nextDay = await store.AdmitAsync(Request(budget: budget, limits: []), Ct);
        Assert.True(nextDay.IsAdmitted);
        store.Settle(nextDay, 0, Usd.ToNanos(0.5m));
        Assert.Equal(BudgetPeriod.Month, (await store.AdmitAsync(Request(budget: budget, limits: []), Ct)).ExceededBudget);
    }

    [Fact]
    public async Task BudgetCountersStartFromWhatTheUsageRecordsSay()
    {
        var spend = new FixedSpendSource(new SpendTotals(0.99m, 5m, 20m));
        var store = Store(spend: spend);
        var budget = new BudgetLimit("k1", PerDay: 1m, Total: 100m);

        var admitted = await store.AdmitAsync(Request(budget: budget, limits: []), Ct);
        Assert.True(admitted.IsAdmitted);
        store.Settle(admitted, 0, Usd.ToNanos(0.01m));
        Assert.Equal(BudgetPeriod.Day, (await store.AdmitAsync(Request(budget: budget, limits: []), Ct)).ExceededBudget);
        Assert.Equal(1, spend.Calls);
        Assert.Equal((Usd.ToNanos(1m), Usd.ToNanos(5.01m), Usd.ToNanos(20.01m)), store.SpendOf("k1"));
    }

    [Fact]
    public async Task TotalBudgetHasNoRetryAfter()
    {
        var store = Store(spend: new FixedSpendSource(new SpendTotals(0, 0, 3m)));
        var refused = await store.AdmitAsync(Request(budget: new BudgetLimit("k1", Total: 3m), limits: []), Ct);
        Assert.Equal(BudgetPeriod.Total, refused.ExceededBudget);
        Assert.Equal(TimeSpan.Zero, refused.RetryAfter);
    }

    [Fact]
    public async Task TakesTheFirstAlternativeWithRoomAndRefusesWhenNoneHas()
    {
        var store = Store();
        var east = new RateLimit(LimitScope.Deployment, "openai/east", 2, 0);
        var west = new RateLimit(LimitScope.Deployment, "openai/west", 1, 0);
        var request = new AdmissionRequest { Limits = [Key(100)], Alternatives = [east, west] };

        var taken = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            taken.Add((await store.AdmitAsync(request, Ct)).Alternative);
        }

        Assert.Equal([0, 0, 1], taken);
        var refused = await store.AdmitAsync(request, Ct);

        Assert.Equal(AdmissionOutcome.RateLimited, refused.Outcome);
        Assert.Equal(-1, refused.Alternative);
        // east frees a request in 30 s, west in 60 s: the soonest decides.
        Assert.Equal(TimeSpan.FromSeconds(30), refused.RetryAfter);
        Assert.Equal(east, refused.ExceededLimit);
        // The refused request took nothing from the key.
        Assert.Equal(96, (await store.AdmitAsync(Request(limits: Key(100)), Ct)).Requests!.Value.Remaining);
    }

    [Fact]
    public async Task SettlingCorrectsTheAlternativeThatWasTaken()
    {
        var store = Store();
        var east = new RateLimit(LimitScope.Deployment, "openai/east", 0, 100);
        var west = new RateLimit(LimitScope.Deployment, "openai/west", 0, 100);
        var request = new AdmissionRequest { Limits = [], Alternatives = [east, west], EstimatedTokens = 90 };
        var first = await store.AdmitAsync(request, Ct);
        Assert.Equal(0, first.Alternative);
        store.Settle(first, 10, 0);

        var second = await store.AdmitAsync(request, Ct);
        Assert.Equal(0, second.Alternative);
        Assert.Equal(new RateLimitStatus(100, 0, TimeSpan.FromSeconds(60)), second.Tokens);
    }

    [Fact]
    public async Task AnAlternativeWithoutLimitsAlwaysHasRoom()
    {
        var store = Store();
        var limited = new RateLimit(LimitScope.Deployment, "openai/east", 1, 0);
        var open = new RateLimit(LimitScope.Deployment, "local/qwen", 0, 0);
        var request = new AdmissionRequest { Limits = [], Alternatives = [limited, open] };

        Assert.Equal(0, (await store.AdmitAsync(request, Ct)).Alternative);
        Assert.Equal(1, (await store.AdmitAsync(request, Ct)).Alternative);
        Assert.Equal(1, (await store.AdmitAsync(request, Ct)).Alternative);
    }
}
