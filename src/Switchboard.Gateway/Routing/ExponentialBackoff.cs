namespace Switchboard.Gateway.Routing;

/// <summary>100 ms, 200 ms, 400 ms … up to 2 s, each with up to 50 % jitter so that retries do not march in step.</summary>
public sealed class ExponentialBackoff : IRetryBackoff
{
    private const int FirstMs = 100;
    private const int MaxMs = 2000;

    private readonly Func<double> _jitter;

    /// <summary>Jitter from <see cref="Random.Shared"/>.</summary>
#pragma warning disable CA5394 // Jitter needs no cryptographic randomness.
    public ExponentialBackoff()
        : this(static () => Random.Shared.NextDouble())
#pragma warning restore CA5394
    {
    }

    /// <param name="jitter">Returns a fraction in [0, 1): the share of the half-pause added on top.</param>
    public ExponentialBackoff(Func<double> jitter)
    {
        ArgumentNullException.ThrowIfNull(jitter);
        _jitter = jitter;
    }

    /// <inheritdoc />
    public TimeSpan Delay(int retry)
    {
        var baseMs = Math.Min(MaxMs, FirstMs * (1 << Math.Clamp(retry - 1, 0, 5)));
        return TimeSpan.FromMilliseconds(baseMs * (1 + (Math.Clamp(_jitter(), 0, 1) / 2)));
    }
}
