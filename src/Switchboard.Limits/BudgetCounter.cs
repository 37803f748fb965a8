namespace Switchboard.Limits;

/// <summary>
/// One key's spend in memory, per day, month and in total, in nano-dollars. Seeded from the usage records the
/// first time the process sees the key; a new day or month starts from zero.
/// </summary>
internal sealed class BudgetCounter
{
    private readonly Lock _lock = new();
    private int _day;
    private int _month;
    private long _dayNanos;
    private long _monthNanos;
    private long _totalNanos;
    private Task? _seeding;

    public bool IsSeeded => _seeding is { IsCompletedSuccessfully: true };

    /// <summary>Starts (once) or joins the query of what the key spent before this process saw it.</summary>
    public Task SeedAsync(ISpendSource source, string keyId, BudgetPeriods periods)
    {
        lock (_lock)
        {
            if (_seeding is null || _seeding.IsFaulted || _seeding.IsCanceled)
            {
                _seeding = SeedCoreAsync(source, keyId, periods);
            }

            return _seeding;
        }
    }

    /// <summary>The first period whose budget is spent, or null.</summary>
    public BudgetPeriod? Exceeded(BudgetLimit budget, BudgetPeriods periods)
    {
        lock (_lock)
        {
            Roll(periods);
            if (budget.PerDay is { } day && _dayNanos >= Usd.ToNanos(day))
            {
                return BudgetPeriod.Day;
            }

            if (budget.PerMonth is { } month && _monthNanos >= Usd.ToNanos(month))
            {
                return BudgetPeriod.Month;
            }

            return budget.Total is { } total && _totalNanos >= Usd.ToNanos(total) ? BudgetPeriod.Total : null;
        }
    }

    public void Add(long nanos, BudgetPeriods periods)
    {
        lock (_lock)
        {
            Roll(periods);
            _dayNanos += nanos;
            _monthNanos += nanos;
            _totalNanos += nanos;
        }
    }

    /// <summary>The spend per period, for tests and reports.</summary>
    public (long Day, long Month, long Total) Snapshot(BudgetPeriods periods)
    {
        lock (_lock)
        {
            Roll(periods);
            return (_dayNanos, _monthNanos, _totalNanos);
        }
    }

    private async Task SeedCoreAsync(ISpendSource source, string keyId, BudgetPeriods periods)
    {
        var spent = await source.GetSpendAsync(keyId, periods.DayStart, periods.MonthStart, CancellationToken.None).ConfigureAwait(false);
        lock (_lock)
        {
            // Requests settled while the query ran are in the counters already and (being newer) not in its answer.
            _day = periods.Day;
            _month = periods.Month;
            _dayNanos += Usd.ToNanos(spent.Day);
            _monthNanos += Usd.ToNanos(spent.Month);
            _totalNanos += Usd.ToNanos(spent.Total);
        }
    }

    private void Roll(BudgetPeriods periods)
    {
        if (periods.Day > _day)
        {
            _day = periods.Day;
            _dayNanos = 0;
        }

        if (periods.Month > _month)
        {
            _month = periods.Month;
            _monthNanos = 0;
        }
    }
}
