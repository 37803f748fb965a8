namespace Switchboard.Limits;

/// <summary>How the limiter counts, whatever stores its counters.</summary>
public sealed record LimiterSettings
{
    /// <summary>Token bucket (the default) or sliding window.</summary>
    public LimitAlgorithm Algorithm { get; init; } = LimitAlgorithm.TokenBucket;

    /// <summary>The period RPM and TPM are counted over: one minute. Settable for tests only.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The first part of every Redis key the limiter writes.</summary>
    public string RedisPrefix { get; init; } = "switchboard";

    /// <summary>
    /// With Redis out of reach: true (the default) keeps requests flowing under this process's own counters;
    /// false refuses them with 503 until Redis is back.
    /// </summary>
    public bool FailOpen { get; init; } = true;

    internal long WindowMs => (long)Window.TotalMilliseconds;
}
