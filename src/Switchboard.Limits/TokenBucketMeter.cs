namespace Switchboard.Limits;

/// <summary>
/// A bucket of <c>capacity</c> that refills at <c>capacity</c> per window, continuously. Corrections may take
/// it below zero: usage beyond the estimate is a debt the next requests wait for, so the long-run rate holds.
/// </summary>
internal sealed class TokenBucketMeter : Meter
{
    private double _level = double.NaN;
    private long _stampMs;

    public override bool CanTake(long nowMs, long capacity, long windowMs, long amount, out long retryAfterMs)
    {
        Refill(nowMs, capacity, windowMs);
        LastUsedMs = nowMs;
        LastCapacity = capacity;
        if (_level + Meter.Epsilon >= amount)
        {
            retryAfterMs = 0;
            return true;
        }

        retryAfterMs = (long)Meter.Ceiling((amount - _level) * windowMs / capacity);
        return false;
    }

    public override void Take(long amount) => _level -= amount;

    public override RateLimitStatus Status(long capacity, long windowMs) => new(
        capacity,
        Math.Max(0, (long)Meter.Floor(_level)),
        TimeSpan.FromMilliseconds(Meter.Ceiling((capacity - _level) * windowMs / capacity)));

    public override void Adjust(long nowMs, long capacity, long windowMs, long admittedAtMs, long delta)
    {
        Refill(nowMs, capacity, windowMs);
        _level = Math.Min(capacity, _level - delta);
    }

    public override bool IsIdle(long nowMs, long capacity, long windowMs)
    {
        Refill(nowMs, capacity, windowMs);
        return _level >= capacity;
    }

    private void Refill(long nowMs, long capacity, long windowMs)
    {
        if (double.IsNaN(_level))
        {
            _level = capacity;
            _stampMs = nowMs;
            return;
        }

        // A clock that steps back adds nothing; the stamp never moves backwards.
        if (nowMs > _stampMs)
        {
            _level += (double)(nowMs - _stampMs) * capacity / windowMs;
            _stampMs = nowMs;
        }

        // Also where the capacity was lowered since the last request.
        if (_level > capacity)
        {
            _level = capacity;
        }
    }
}
