namespace Switchboard.Limits;

/// <summary>The UTC day and month a moment falls in, numbered so counters can be named and compared.</summary>
internal readonly record struct BudgetPeriods(int Day, int Month, DateTimeOffset DayStart, DateTimeOffset MonthStart)
{
    // The periods of the day last asked about: nearly every call is on the same day as the one before it.
    private static Known? s_known;

    public static BudgetPeriods At(DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        if (s_known is { } known && ticks >= known.DayStartTicks && ticks < known.DayStartTicks + TimeSpan.TicksPerDay)
        {
            return known.Periods;
        }

        var periods = Compute(now);
        s_known = new Known(periods, periods.DayStart.UtcTicks);
        return periods;
    }

    private static BudgetPeriods Compute(DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        var dayStart = new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero);
        var monthStart = new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
        return new BudgetPeriods(
            (int)(dayStart - DateTimeOffset.UnixEpoch).TotalDays,
            (utc.Year * 12) + utc.Month - 1,
            dayStart,
            monthStart);
    }

    /// <summary>How long a day counter is worth keeping: its day, and a day's grace for clocks that disagree.</summary>
    public TimeSpan DayCounterLifetime(DateTimeOffset now) => DayStart.AddDays(2) - now;

    public TimeSpan MonthCounterLifetime(DateTimeOffset now) => MonthStart.AddMonths(1).AddDays(1) - now;

    private sealed record Known(BudgetPeriods Periods, long DayStartTicks);
}
