using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Switchboard.Limits;

/// <summary>
/// Rate-limit and budget counters in Redis, shared by every replica: one script call per request admits it
/// against every limit and the budget at once (<see cref="RedisScripts.Admit"/>); the correction afterwards is
/// sent without waiting. When Redis cannot be reached, requests are decided by this process's own
/// <see cref="MemoryLimitStore"/> (or refused, with <see cref="LimiterSettings.FailOpen"/> off), and the log says
/// so once when Redis goes and once when it is back.
/// </summary>
public sealed partial class RedisLimitStore : ILimitStore
{
    private readonly IConnectionMultiplexer _redis;
    private readonly LimiterSettings _settings;
    private readonly MemoryLimitStore _local;
    private readonly ISpendSource _spend;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _meterPrefix;
    private readonly string _spendPrefix;
    private readonly RedisValue _sliding;
    private readonly ConcurrentDictionary<string, Seeding> _seeded = new(StringComparer.Ordinal);
    private int _down;
    private long _skipUntil;

    /// <summary>After a failed or timed-out call, how long requests decide locally before Redis is asked again.</summary>
    private static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(1);

    /// <param name="redis">The connection, made with <see cref="RedisConnection.Connect"/> (fail-fast while disconnected).</param>
    /// <param name="settings">How to count.</param>
    /// <param name="local">This process's own counters, used while Redis is out of reach.</param>
    /// <param name="spend">What keys spent before, to seed budget counters.</param>
    /// <param name="timeProvider">The clock every replica passes to the scripts.</param>
    /// <param name="logger">Where the two state changes are logged.</param>
    public RedisLimitStore(IConnectionMultiplexer redis, LimiterSettings settings, MemoryLimitStore local, ISpendSource spend, TimeProvider timeProvider, ILogger<RedisLimitStore> logger)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(spend);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _redis = redis;
        _settings = settings;
        _local = local;
        _spend = spend;
        _time = timeProvider;
        _logger = logger;
        _meterPrefix = settings.RedisPrefix + ":rl:";
        _spendPrefix = settings.RedisPrefix + ":spend:";
        _sliding = settings.Algorithm == LimitAlgorithm.SlidingWindow ? 1 : 0;
    }

    /// <inheritdoc />
    public string Name => "redis";

    /// <summary>True while Redis is out of reach and this process decides alone.</summary>
    public bool IsDegraded => Volatile.Read(ref _down) == 1;

    /// <inheritdoc />
    public async ValueTask<Admission> AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var meters = CountMeters(request);
        var budget = request.Budget is { IsActive: true } b ? b : null;
        if (meters == 0 && budget is null)
        {
            return request.Alternatives.Count > 0
                ? new Admission { Outcome = AdmissionOutcome.Admitted, Alternative = 0 }
                : Admission.Unlimited;
        }

        if (!_redis.IsConnected || _time.GetTimestamp() < Volatile.Read(ref _skipUntil))
        {
            MarkDown(null);
            return await DegradedAsync(request, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var now = _time.GetUtcNow();
                var periods = BudgetPeriods.At(now);
                var budgetChecked = budget is not null && await SeedAsync(budget, periods, now).ConfigureAwait(false);
                var (keys, values, entries) = AdmitArguments(request, meters, budgetChecked ? budget : null, periods, now.ToUnixTimeMilliseconds());
                var reply = (RedisResult[])(await _redis.GetDatabase().ScriptEvaluateAsync(RedisScripts.Admit, keys, values).ConfigureAwait(false))!;
                MarkUp();
                var status = (int)reply[0];
                if (status == -1 && attempt == 0)
                {
                    // A budget counter vanished (Redis restarted or flushed, or a new day began elsewhere first): seed again.
                    _seeded.TryRemove(budget!.KeyId, out _);
                    continue;
                }

                return status == -2
                    ? OverBudget((BudgetPeriod)((int)reply[1] - 1), now)
                    : ToAdmission(reply, status == 1, entries, request, now.ToUnixTimeMilliseconds());
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // A Redis that hangs keeps its connection: without a pause every request would wait out the timeout.
            Volatile.Write(ref _skipUntil, _time.GetTimestamp() + (long)(RetryPause.TotalSeconds * _time.TimestampFrequency));
            MarkDown(ex);
            return await DegradedAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void Settle(Admission admission, long actualTokens, long costNanos)
    {
        ArgumentNullException.ThrowIfNull(admission);
        if (!ReferenceEquals(admission.Store, this))
        {
            // Decided locally while Redis was away: settled where it was counted.
            admission.Store?.Settle(admission, actualTokens, costNanos);
            return;
        }

        if (admission is not { IsAdmitted: true, Request: { } request } || !admission.TryMarkSettled())
        {
            return;
        }

        var keys = new List<RedisKey>(4);
        var values = new List<RedisValue>(12);
        var now = _time.GetUtcNow();
        values.Add(now.ToUnixTimeMilliseconds());
        values.Add(_settings.WindowMs);
        values.Add(_sliding);
        values.Add(0);
        values.Add(0);
        values.Add(admission.AdmittedAtMs);
        foreach (var limit in MemoryLimitStore.SettledLimits(admission, request))
        {
            if (limit.TokensPerMinute <= 0)
            {
                continue;
            }

            var taken = Math.Min(Math.Max(0, request.EstimatedTokens), limit.TokensPerMinute);
            if (actualTokens != taken)
            {
                keys.Add(MeterKey(limit, tokens: true));
                values.Add(limit.TokensPerMinute);
                values.Add(actualTokens - taken);
            }
        }

        var meters = keys.Count;
        values.Add(costNanos);
        if (costNanos > 0 && request.Budget is { IsActive: true } budget)
        {
            var periods = BudgetPeriods.At(now);
            keys.Add(SpendKey(budget.KeyId, BudgetPeriod.Day, periods));
            keys.Add(SpendKey(budget.KeyId, BudgetPeriod.Month, periods));
            keys.Add(SpendKey(budget.KeyId, BudgetPeriod.Total, periods));
        }

        if (keys.Count == 0)
        {
            return;
        }

        values[3] = meters;
        values[4] = keys.Count - meters;
        try
        {
            // Off the request path: the answer does not wait for the correction.
            _ = _redis.GetDatabase().ScriptEvaluateAsync(RedisScripts.Settle, [.. keys], [.. values], CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // Lost with Redis; the usage record still has it, and the next seeding of a budget reads it back.
            MarkDown(ex);
        }
    }

    private async ValueTask<Admission> DegradedAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (!_settings.FailOpen)
        {
            return new Admission { Outcome = AdmissionOutcome.Unavailable, RetryAfter = TimeSpan.FromSeconds(1), Local = true };
        }

        var admission = await _local.AdmitAsync(request, cancellationToken).ConfigureAwait(false);
        return new Admission
        {
            Outcome = admission.Outcome,
            RetryAfter = admission.RetryAfter,
            Requests = admission.Requests,
            Tokens = admission.Tokens,
            ExceededLimit = admission.ExceededLimit,
            ExceededTokens = admission.ExceededTokens,
            ExceededBudget = admission.ExceededBudget,
            Local = true,
            Store = admission.Store,
            Request = admission.Request,
            AdmittedAtMs = admission.AdmittedAtMs,
        };
    }

    /// <summary>
    /// Makes sure the key's counters for this day and month exist in Redis, written from the usage records by
    /// the first replica that needs them (<c>SET NX</c>: a later one never overwrites what is being counted).
    /// False when the spend could not be read: the budget goes unchecked for this request rather than on zero.
    /// </summary>
    private async ValueTask<bool> SeedAsync(BudgetLimit budget, BudgetPeriods periods, DateTimeOffset now)
    {
        if (_seeded.TryGetValue(budget.KeyId, out var seeding) && seeding.Day == periods.Day && seeding.Task.IsCompletedSuccessfully)
        {
            return true;
        }

        if (seeding is null || seeding.Day != periods.Day || seeding.Task.IsFaulted || seeding.Task.IsCanceled)
        {
            var fresh = new Seeding(periods.Day, SeedCoreAsync(budget.KeyId, periods, now));
            seeding = _seeded.AddOrUpdate(budget.KeyId, fresh, (_, old) => old.Day == periods.Day && !old.Task.IsFaulted && !old.Task.IsCanceled ? old : fresh);
        }

        try
        {
            await seeding.Task.ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is not (RedisException or TimeoutException))
        {
            Log.SpendUnavailable(_logger, budget.KeyId, ex);
            return false;
        }
    }

    private async Task SeedCoreAsync(string keyId, BudgetPeriods periods, DateTimeOffset now)
    {
        var spent = await _spend.GetSpendAsync(keyId, periods.DayStart, periods.MonthStart, CancellationToken.None).ConfigureAwait(false);
        var db = _redis.GetDatabase();
        await Task.WhenAll(
            db.StringSetAsync(SpendKey(keyId, BudgetPeriod.Day, periods), Usd.ToNanos(spent.Day), periods.DayCounterLifetime(now), When.NotExists),
            db.StringSetAsync(SpendKey(keyId, BudgetPeriod.Month, periods), Usd.ToNanos(spent.Month), periods.MonthCounterLifetime(now), When.NotExists),
            db.StringSetAsync(SpendKey(keyId, BudgetPeriod.Total, periods), Usd.ToNanos(spent.Total), null, When.NotExists)).ConfigureAwait(false);
    }

    private (RedisKey[] Keys, RedisValue[] Values, Entry[] Entries) AdmitArguments(AdmissionRequest request, int meters, BudgetLimit? budget, BudgetPeriods periods, long nowMs)
    {
        var budgets = budget is null ? 0 : 3;
        var keys = new RedisKey[meters + budgets];
        var values = new RedisValue[6 + (3 * meters) + budgets];
        var entries = new Entry[meters];
        values[0] = nowMs;
        values[1] = _settings.WindowMs;
        values[2] = _sliding;
        values[3] = meters;
        values[4] = budgets;
        values[5] = request.Alternatives.Count;
        var n = 0;
        foreach (var limit in request.Limits)
        {
            Add(limit, 0, request.EstimatedTokens, keys, values, entries, ref n);
        }

        for (var g = 0; g < request.Alternatives.Count; g++)
        {
            Add(request.Alternatives[g], g + 1, request.EstimatedTokens, keys, values, entries, ref n);
        }

        if (budget is not null)
        {
            keys[meters] = SpendKey(budget.KeyId, BudgetPeriod.Day, periods);
            keys[meters + 1] = SpendKey(budget.KeyId, BudgetPeriod.Month, periods);
            keys[meters + 2] = SpendKey(budget.KeyId, BudgetPeriod.Total, periods);
            values[6 + (3 * meters)] = budget.PerDay is { } day ? Usd.ToNanos(day) : -1;
            values[7 + (3 * meters)] = budget.PerMonth is { } month ? Usd.ToNanos(month) : -1;
            values[8 + (3 * meters)] = budget.Total is { } total ? Usd.ToNanos(total) : -1;
        }

        return (keys, values, entries);
    }

    private void Add(RateLimit limit, int group, long estimatedTokens, RedisKey[] keys, RedisValue[] values, Entry[] entries, ref int n)
    {
        if (limit.RequestsPerMinute > 0)
        {
            entries[n] = new Entry(limit, limit.RequestsPerMinute, false, group);
            keys[n] = MeterKey(limit, tokens: false);
            values[6 + (3 * n)] = limit.RequestsPerMinute;
            values[7 + (3 * n)] = 1;
            values[8 + (3 * n)] = group;
            n++;
        }

        if (limit.TokensPerMinute > 0)
        {
            entries[n] = new Entry(limit, limit.TokensPerMinute, true, group);
            keys[n] = MeterKey(limit, tokens: true);
            values[6 + (3 * n)] = limit.TokensPerMinute;
            values[7 + (3 * n)] = Math.Min(Math.Max(0, estimatedTokens), limit.TokensPerMinute);
            values[8 + (3 * n)] = group;
            n++;
        }
    }

    private Admission ToAdmission(RedisResult[] reply, bool admitted, Entry[] entries, AdmissionRequest request, long nowMs)
    {
        var chosen = (int)reply[3];
        var shown = chosen > 0 ? chosen : (int)reply[4];
        RateLimitStatus? requests = null;
        RateLimitStatus? tokens = null;
        for (var i = 0; i < entries.Length; i++)
        {
            if (entries[i].Group > 0 && entries[i].Group != shown)
            {
                continue;
            }

            var status = new RateLimitStatus(entries[i].Capacity, (long)reply[5 + (2 * i)], TimeSpan.FromMilliseconds((long)reply[6 + (2 * i)]));
            if (entries[i].Tokens)
            {
                tokens = tokens is { } t && !status.IsTighterThan(t) ? t : status;
            }
            else
            {
                requests = requests is { } r && !status.IsTighterThan(r) ? r : status;
            }
        }

        var by = (int)reply[2] - 1;
        return new Admission
        {
            Outcome = admitted ? AdmissionOutcome.Admitted : AdmissionOutcome.RateLimited,
            RetryAfter = TimeSpan.FromMilliseconds((long)reply[1]),
            Requests = requests,
            Tokens = tokens,
            ExceededLimit = admitted || by < 0 ? null : entries[by].Limit,
            ExceededTokens = !admitted && by >= 0 && entries[by].Tokens,
            Alternative = admitted ? chosen - 1 : -1,
            Store = this,
            Request = request,
            AdmittedAtMs = nowMs,
        };
    }

    private Admission OverBudget(BudgetPeriod period, DateTimeOffset now)
    {
        var periods = BudgetPeriods.At(now);
        return new Admission
        {
            Outcome = AdmissionOutcome.OverBudget,
            ExceededBudget = period,
            RetryAfter = period switch
            {
                BudgetPeriod.Day => periods.DayStart.AddDays(1) - now,
                BudgetPeriod.Month => periods.MonthStart.AddMonths(1) - now,
                _ => TimeSpan.Zero,
            },
            Store = this,
        };
    }

    private static int CountMeters(AdmissionRequest request)
    {
        var count = 0;
        foreach (var limit in request.Limits)
        {
            count += (limit.RequestsPerMinute > 0 ? 1 : 0) + (limit.TokensPerMinute > 0 ? 1 : 0);
        }

        foreach (var limit in request.Alternatives)
        {
            count += (limit.RequestsPerMinute > 0 ? 1 : 0) + (limit.TokensPerMinute > 0 ? 1 : 0);
        }

        return count;
    }

    private RedisKey MeterKey(RateLimit limit, bool tokens) =>
        string.Concat(_meterPrefix, ScopeName(limit.Scope), tokens ? ":t:" : ":r:", limit.Name);

    private RedisKey SpendKey(string keyId, BudgetPeriod period, BudgetPeriods periods) => period switch
    {
        BudgetPeriod.Day => string.Concat(_spendPrefix, keyId, ":d:", periods.Day.ToString(CultureInfo.InvariantCulture)),
        BudgetPeriod.Month => string.Concat(_spendPrefix, keyId, ":m:", periods.Month.ToString(CultureInfo.InvariantCulture)),
        _ => string.Concat(_spendPrefix, keyId, ":t"),
    };

    private static string ScopeName(LimitScope scope) => scope switch
    {
        LimitScope.Key => "key",
        LimitScope.User => "user",
        LimitScope.Model => "model",
        _ => "deployment",
    };

    private void MarkDown(Exception? ex)
    {
        if (Interlocked.Exchange(ref _down, 1) == 0)
        {
            if (_settings.FailOpen)
            {
                Log.RedisDownFailOpen(_logger, ex?.Message ?? "not connected");
            }
            else
            {
                Log.RedisDownFailClosed(_logger, ex?.Message ?? "not connected");
            }
        }
    }

    private void MarkUp()
    {
        if (Volatile.Read(ref _down) == 1 && Interlocked.Exchange(ref _down, 0) == 1)
        {
            Log.RedisBack(_logger);
        }
    }

    private sealed record Seeding(int Day, Task Task);

    private readonly record struct Entry(RateLimit Limit, long Capacity, bool Tokens, int Group);

    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Redis is unreachable ({Reason}): rate limits and budgets are enforced by each process on its own until it is back")]
        public static partial void RedisDownFailOpen(ILogger logger, string reason);

        [LoggerMessage(EventId = 301, Level = LogLevel.Error, Message = "Redis is unreachable ({Reason}): requests that have limits are refused with 503 until it is back (limits.redis_fail_open: false)")]
        public static partial void RedisDownFailClosed(ILogger logger, string reason);

        [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "Redis is reachable again: rate limits and budgets are shared between replicas again")]
        public static partial void RedisBack(ILogger logger);

        [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "The spend of key {KeyId} could not be read; its budget is not checked until it can")]
        public static partial void SpendUnavailable(ILogger logger, string keyId, Exception exception);
    }
}
