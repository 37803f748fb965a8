namespace Switchboard.Limits;

/// <summary>
/// One counter of one dimension (requests or tokens) of one limit, in memory. Not thread-safe by itself:
/// <see cref="MemoryLimitStore"/> locks it (the meter object is its own lock) for every call, and locks the
/// meters of one request in <see cref="Order"/> so two requests never wait on each other in a cycle.
/// </summary>
internal abstract class Meter
{
    private static long _nextOrder;

    protected Meter() => Order = Interlocked.Increment(ref _nextOrder);

    /// <summary>A process-wide sequence: the order meters are locked in.</summary>
    public long Order { get; }

    /// <summary>Set under the lock when the sweeper removed the meter; a request holding it looks it up again.</summary>
    public bool Removed { get; set; }

    /// <summary>The last time a request touched the meter (Unix ms).</summary>
    public long LastUsedMs { get; protected set; }

    /// <summary>The capacity the meter was last asked with (a key's limit may change between requests).</summary>
    public long LastCapacity { get; protected set; }

    /// <summary>Brings the meter to <paramref name="nowMs"/> and says whether <paramref name="amount"/> fits; if not, when it will.</summary>
    public abstract bool CanTake(long nowMs, long capacity, long windowMs, long amount, out long retryAfterMs);

    /// <summary>Takes <paramref name="amount"/>; only after <see cref="CanTake"/> at the same moment.</summary>
    public abstract void Take(long amount);

    /// <summary>What is left and when the meter is whole again, as of the last <see cref="CanTake"/>.</summary>
    public abstract RateLimitStatus Status(long capacity, long windowMs);

    /// <summary>Adds <paramref name="delta"/> (negative to refund) to what a request admitted at <paramref name="admittedAtMs"/> took.</summary>
    public abstract void Adjust(long nowMs, long capacity, long windowMs, long admittedAtMs, long delta);

    /// <summary>True when the meter holds nothing a new meter would not: it can be dropped.</summary>
    public abstract bool IsIdle(long nowMs, long capacity, long windowMs);

    /// <summary>
    /// Rounds up, forgiving float noise: Redis keeps the scripts' numbers to 14 digits, so the same sums may differ
    /// in the last bits between memory and Redis, and must not differ by a millisecond or a token.
    /// </summary>
    public static double Ceiling(double value) => Math.Ceiling(value - Epsilon);

    /// <summary>Rounds down, forgiving float noise (see <see cref="Ceiling"/>).</summary>
    public static double Floor(double value) => Math.Floor(value + Epsilon);

    /// <summary>How far apart two counts may be and still be equal.</summary>
    public const double Epsilon = 1e-6;

    public static Meter Create(LimitAlgorithm algorithm) =>
        algorithm == LimitAlgorithm.SlidingWindow ? new SlidingWindowMeter() : new TokenBucketMeter();
}
