using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Switchboard.Limits;

/// <summary>
/// Rate-limit and budget counters in this process's memory. A request locks only its own few meters (an
/// uncontended lock each), in a fixed order, checks them all and takes from all or none: exact under any
/// concurrency, without a global lock. Meters that have refilled completely are swept once per window.
/// </summary>
public sealed class MemoryLimitStore : ILimitStore, IDisposable
{
    private const int InlineEntries = 16;

    private readonly LimiterSettings _settings;
    private readonly ISpendSource _spend;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<MeterKey, Meter> _meters = new();
    private readonly ConcurrentDictionary<string, BudgetCounter> _budgets = new(StringComparer.Ordinal);
    private readonly ITimer _sweeper;

    /// <summary>Counts in this process, sweeping idle meters every <see cref="LimiterSettings.Window"/>.</summary>
    public MemoryLimitStore(LimiterSettings settings, ISpendSource spend, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(spend);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _settings = settings;
        _spend = spend;
        _time = timeProvider;
        _sweeper = timeProvider.CreateTimer(static state => ((MemoryLimitStore)state!).Sweep(), this, settings.Window, settings.Window);
    }

    /// <inheritdoc />
    public string Name => "memory";

    /// <summary>How many meters are held (for tests of the sweeper).</summary>
    internal int MeterCount => _meters.Count;

    /// <inheritdoc />
    public ValueTask<Admission> AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = _time.GetUtcNow();
        if (request.Budget is { IsActive: true } budget)
        {
            var counter = _budgets.GetOrAdd(budget.KeyId, static _ => new BudgetCounter());
            if (!counter.IsSeeded)
            {
                return AdmitAfterSeedingAsync(request, counter, budget, cancellationToken);
            }

            if (counter.Exceeded(budget, BudgetPeriods.At(now)) is { } period)
            {
                return ValueTask.FromResult(OverBudget(period));
            }
        }

        return ValueTask.FromResult(AdmitRates(request, now.ToUnixTimeMilliseconds()));
    }

    /// <inheritdoc />
    public void Settle(Admission admission, long actualTokens, long costNanos)
    {
        ArgumentNullException.ThrowIfNull(admission);
        if (admission is not { IsAdmitted: true, Request: { } request } || !admission.TryMarkSettled())
        {
            return;
        }

        var now = _time.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        // The limits the request took tokens from: every mandatory one and the alternative it was given (as
        // SettledLimits, without an enumerator per request).
        var limits = request.Limits;
        for (var i = 0; i < limits.Count; i++)
        {
            Correct(limits[i], admission, request, nowMs, actualTokens);
        }

        if (admission.Alternative >= 0 && admission.Alternative < request.Alternatives.Count)
        {
            Correct(request.Alternatives[admission.Alternative], admission, request, nowMs, actualTokens);
        }

        if (costNanos > 0 && request.Budget is { IsActive: true } budget)
        {
            _budgets.GetOrAdd(budget.KeyId, static _ => new BudgetCounter()).Add(costNanos, BudgetPeriods.At(now));
        }
    }

    /// <summary>Moves a token meter by the difference between the tokens taken at admission and those really used.</summary>
    private void Correct(RateLimit limit, Admission admission, AdmissionRequest request, long nowMs, long actualTokens)
    {
        if (limit.TokensPerMinute <= 0)
        {
            return;
        }

        var taken = Math.Min(request.EstimatedTokens, limit.TokensPerMinute);
        if (actualTokens == taken)
        {
            return;
        }

        var meter = _meters.GetOrAdd(new MeterKey(limit.Scope, limit.Name, true), static (_, algorithm) => Meter.Create(algorithm), _settings.Algorithm);
        lock (meter)
        {
            meter.Adjust(nowMs, limit.TokensPerMinute, _settings.WindowMs, admission.AdmittedAtMs, actualTokens - taken);
        }
    }

    /// <summary>The limits a request took tokens from: every mandatory one and the alternative it was given.</summary>
    internal static IEnumerable<RateLimit> SettledLimits(Admission admission, AdmissionRequest request)
    {
        foreach (var limit in request.Limits)
        {
            yield return limit;
        }

        if (admission.Alternative >= 0 && admission.Alternative < request.Alternatives.Count)
        {
            yield return request.Alternatives[admission.Alternative];
        }
    }

    /// <summary>A key's spend per period, in nano-dollars, as this process counts it.</summary>
    public (long Day, long Month, long Total) SpendOf(string keyId) =>
        _budgets.TryGetValue(keyId, out var counter) ? counter.Snapshot(BudgetPeriods.At(_time.GetUtcNow())) : default;

    /// <summary>Stops the sweeper.</summary>
    public void Dispose() => _sweeper.Dispose();

    private async ValueTask<Admission> AdmitAfterSeedingAsync(AdmissionRequest request, BudgetCounter counter, BudgetLimit budget, CancellationToken cancellationToken)
    {
        await counter.SeedAsync(_spend, budget.KeyId, BudgetPeriods.At(_time.GetUtcNow())).WaitAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        return counter.Exceeded(budget, BudgetPeriods.At(now)) is { } period
            ? OverBudget(period)
            : AdmitRates(request, now.ToUnixTimeMilliseconds());
    }

    private Admission OverBudget(BudgetPeriod period) => new()
    {
        Outcome = AdmissionOutcome.OverBudget,
        ExceededBudget = period,
        RetryAfter = period switch
        {
            BudgetPeriod.Day => BudgetPeriods.At(_time.GetUtcNow()).DayStart.AddDays(1) - _time.GetUtcNow(),
            BudgetPeriod.Month => BudgetPeriods.At(_time.GetUtcNow()).MonthStart.AddMonths(1) - _time.GetUtcNow(),
            _ => TimeSpan.Zero,
        },
        Store = this,
    };

    /// <summary>Checks and takes, under the locks of exactly the meters that apply.</summary>
    internal Admission AdmitRates(AdmissionRequest request, long nowMs)
    {
        var count = CountMeters(request.Limits) + CountMeters(request.Alternatives);
        if (count == 0)
        {
            // Nothing to count; an alternative without limits is still a choice (the first).
            return request.Budget is { IsActive: true } || request.Alternatives.Count > 0
                ? new Admission { Outcome = AdmissionOutcome.Admitted, Store = this, Request = request, AdmittedAtMs = nowMs, Alternative = request.Alternatives.Count > 0 ? 0 : -1 }
                : Admission.Unlimited;
        }

        var inline = default(EntryBuffer);
        var entries = count <= InlineEntries ? ((Span<Entry>)inline)[..count] : new Entry[count];
        Fill(entries, request);
        while (true)
        {
            var locked = 0;
            try
            {
                var removed = false;
                for (; locked < entries.Length; locked++)
                {
                    Monitor.Enter(entries[locked].Meter);
                    removed |= entries[locked].Meter.Removed;
                }

                if (!removed)
                {
                    return Decide(entries, request, nowMs);
                }
            }
            finally
            {
                for (var i = locked - 1; i >= 0; i--)
                {
                    Monitor.Exit(entries[i].Meter);
                }
            }

            // The sweeper dropped a meter between the lookup and the lock: look the meters up again.
            Fill(entries, request);
        }
    }

    private static int CountMeters(IReadOnlyList<RateLimit> limits)
    {
        var count = 0;
        for (var i = 0; i < limits.Count; i++)
        {
            count += (limits[i].RequestsPerMinute > 0 ? 1 : 0) + (limits[i].TokensPerMinute > 0 ? 1 : 0);
        }

        return count;
    }

    /// <summary>
    /// Every mandatory meter must have room, and (when there are alternatives) every meter of one alternative,
    /// the first in order that has. Refused, the request waits for the slowest mandatory meter and for the
    /// soonest alternative.
    /// </summary>
    private Admission Decide(Span<Entry> entries, AdmissionRequest request, long nowMs)
    {
        var windowMs = _settings.WindowMs;
        var alternatives = request.Alternatives.Count;
        Span<long> groupWait = alternatives <= 16 ? stackalloc long[alternatives] : new long[alternatives];
        long mandatoryWait = 0;
        var mandatoryBy = -1;
        for (var i = 0; i < entries.Length; i++)
        {
            ref var entry = ref entries[i];
            entry.Meter.CanTake(nowMs, entry.Capacity, windowMs, entry.Amount, out var wait);
            entry.Wait = wait;
            if (entry.Group < 0)
            {
                // Ties go to the limit named last in the request, as in the Redis script.
                if (wait > 0 && (wait > mandatoryWait || (wait == mandatoryWait && entry.Index > entries[mandatoryBy].Index)))
                {
                    mandatoryWait = wait;
                    mandatoryBy = i;
                }
            }
            else
            {
                groupWait[entry.Group] = Math.Max(groupWait[entry.Group], wait);
            }
        }

        var chosen = -1;
        var soonest = -1;
        for (var g = 0; g < alternatives; g++)
        {
            if (groupWait[g] == 0)
            {
                chosen = g;
                break;
            }

            if (soonest < 0 || groupWait[g] < groupWait[soonest])
            {
                soonest = g;
            }
        }

        var admitted = mandatoryBy < 0 && (alternatives == 0 || chosen >= 0);
        var retryAfterMs = Math.Max(mandatoryWait, admitted || chosen >= 0 || soonest < 0 ? 0 : groupWait[soonest]);
        var refusedBy = admitted ? -1 : mandatoryWait >= retryAfterMs && mandatoryBy >= 0 ? mandatoryBy : SlowestOf(entries, soonest);
        var shown = admitted ? chosen : chosen >= 0 ? chosen : soonest;
        RateLimitStatus? requests = null;
        RateLimitStatus? tokens = null;
        for (var i = 0; i < entries.Length; i++)
        {
            ref var entry = ref entries[i];
            if (entry.Group >= 0 && entry.Group != shown)
            {
                continue;
            }

            if (admitted)
            {
                entry.Meter.Take(entry.Amount);
            }

            var status = entry.Meter.Status(entry.Capacity, windowMs);
            if (entry.Tokens)
            {
                tokens = tokens is { } t && !status.IsTighterThan(t) ? t : status;
            }
            else
            {
                requests = requests is { } r && !status.IsTighterThan(r) ? r : status;
            }
        }

        return new Admission
        {
            Outcome = admitted ? AdmissionOutcome.Admitted : AdmissionOutcome.RateLimited,
            RetryAfter = TimeSpan.FromMilliseconds(retryAfterMs),
            Requests = requests,
            Tokens = tokens,
            ExceededLimit = refusedBy < 0 ? null : entries[refusedBy].Limit,
            ExceededTokens = refusedBy >= 0 && entries[refusedBy].Tokens,
            Alternative = admitted ? chosen : -1,
            Store = this,
            Request = request,
            AdmittedAtMs = nowMs,
        };
    }

    private static int SlowestOf(Span<Entry> entries, int group)
    {
        var slowest = -1;
        for (var i = 0; i < entries.Length; i++)
        {
            if (entries[i].Group == group && (slowest < 0 || entries[i].Wait > entries[slowest].Wait || (entries[i].Wait == entries[slowest].Wait && entries[i].Index < entries[slowest].Index)))
            {
                slowest = i;
            }
        }

        return slowest;
    }

    private void Fill(Span<Entry> entries, AdmissionRequest request)
    {
        var n = 0;
        foreach (var limit in request.Limits)
        {
            Add(entries, limit, request.EstimatedTokens, -1, ref n);
        }

        for (var g = 0; g < request.Alternatives.Count; g++)
        {
            Add(entries, request.Alternatives[g], request.EstimatedTokens, g, ref n);
        }

        // Insertion sort by lock order: a handful of entries.
        for (var i = 1; i < entries.Length; i++)
        {
            var current = entries[i];
            var j = i - 1;
            while (j >= 0 && entries[j].Meter.Order > current.Meter.Order)
            {
                entries[j + 1] = entries[j];
                j--;
            }

            entries[j + 1] = current;
        }
    }

    private void Add(Span<Entry> entries, RateLimit limit, long estimatedTokens, int group, ref int n)
    {
        if (limit.RequestsPerMinute > 0)
        {
            entries[n] = new Entry(MeterOf(limit, tokens: false), limit, limit.RequestsPerMinute, 1, Tokens: false, group) { Index = n };
            n++;
        }

        if (limit.TokensPerMinute > 0)
        {
            entries[n] = new Entry(MeterOf(limit, tokens: true), limit, limit.TokensPerMinute, Math.Min(Math.Max(0, estimatedTokens), limit.TokensPerMinute), Tokens: true, group) { Index = n };
            n++;
        }
    }

    private Meter MeterOf(RateLimit limit, bool tokens) =>
        _meters.GetOrAdd(new MeterKey(limit.Scope, limit.Name, tokens), static (_, algorithm) => Meter.Create(algorithm), _settings.Algorithm);

    /// <summary>Drops meters that have been whole for a full window: a new one would say the same.</summary>
    private void Sweep()
    {
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var windowMs = _settings.WindowMs;
        foreach (var (key, meter) in _meters)
        {
            lock (meter)
            {
                if (nowMs - meter.LastUsedMs >= windowMs && meter.IsIdle(nowMs, meter.LastCapacity, windowMs))
                {
                    meter.Removed = true;
                    _meters.TryRemove(new KeyValuePair<MeterKey, Meter>(key, meter));
                }
            }
        }
    }

    private record struct Entry(Meter Meter, RateLimit Limit, long Capacity, long Amount, bool Tokens, int Group)
    {
        /// <summary>The entry's place in the request (before sorting by lock order), for tie-breaks.</summary>
        public int Index { get; set; }

        public long Wait { get; set; }
    }

    [InlineArray(InlineEntries)]
    private struct EntryBuffer
    {
        private Entry _first;
    }
}
