namespace Switchboard.Limits;

/// <summary>
/// The sliding-window counter: counts per fixed window, and estimates the last <c>window</c> as the current
/// count plus the previous window's count weighted by how much of it still overlaps.
/// </summary>
internal sealed class SlidingWindowMeter : Meter
{
    private long _windowStartMs = long.MinValue;
    private double _current;
    private double _previous;
    private double _used;
    private long _elapsedMs;

    public override bool CanTake(long nowMs, long capacity, long windowMs, long amount, out long retryAfterMs)
    {
        Roll(nowMs, windowMs);
        LastUsedMs = nowMs;
        LastCapacity = capacity;
        if (_used + amount <= capacity + Meter.Epsilon)
        {
            retryAfterMs = 0;
            return true;
        }

        retryAfterMs = RetryAfter(capacity, windowMs, amount);
        return false;
    }

    public override void Take(long amount)
    {
        _current += amount;
        _used += amount;
    }

    public override RateLimitStatus Status(long capacity, long windowMs)
    {
        var reset = _current > 0 ? (windowMs - _elapsedMs) + windowMs : _previous > 0 ? windowMs - _elapsedMs : 0;
        return new(capacity, Math.Max(0, (long)Meter.Floor(capacity - _used)), TimeSpan.FromMilliseconds(reset));
    }

    public override void Adjust(long nowMs, long capacity, long windowMs, long admittedAtMs, long delta)
    {
        Roll(nowMs, windowMs);
        var admittedWindow = admittedAtMs - Mod(admittedAtMs, windowMs);
        if (admittedWindow == _windowStartMs)
        {
            _current = Math.Max(0, _current + delta);
        }
        else if (admittedWindow == _windowStartMs - windowMs)
        {
            _previous = Math.Max(0, _previous + delta);
        }

        // Older than that, the request no longer counts at all.
        _used = (_previous * (1 - ((double)_elapsedMs / windowMs))) + _current;
    }

    public override bool IsIdle(long nowMs, long capacity, long windowMs)
    {
        Roll(nowMs, windowMs);
        return _used <= 0;
    }

    private void Roll(long nowMs, long windowMs)
    {
        var start = nowMs - Mod(nowMs, windowMs);
        if (start > _windowStartMs)
        {
            _previous = start - _windowStartMs == windowMs ? _current : 0;
            _current = 0;
            _windowStartMs = start;
        }

        // A clock that steps back stays in the window it already counts in.
        _elapsedMs = Math.Clamp(nowMs - _windowStartMs, 0, windowMs);
        _used = (_previous * (1 - ((double)_elapsedMs / windowMs))) + _current;
    }

    /// <summary>
    /// When the weighted previous window will have shrunk enough for <paramref name="amount"/>: still in this
    /// window if the current count leaves room, else in the next one, where the current count becomes the previous.
    /// </summary>
    private long RetryAfter(long capacity, long windowMs, long amount)
    {
        var remainingInWindow = windowMs - _elapsedMs;
        if (_current + amount <= capacity && _previous > 0)
        {
            var fraction = 1 - ((capacity - _current - amount) / _previous);
            return Math.Max(1, (long)Meter.Ceiling((fraction * windowMs) - _elapsedMs));
        }

        var nextFraction = _current > 0 ? Math.Max(0, 1 - ((capacity - amount) / _current)) : 0;
        return Math.Max(1, remainingInWindow + (long)Meter.Ceiling(nextFraction * windowMs));
    }

    private static long Mod(long value, long divisor) => ((value % divisor) + divisor) % divisor;
}
