using Switchboard.Limits;

namespace Switchboard.Gateway.Configuration;

/// <summary>Turns <c>limits:</c> into the limiter's own settings.</summary>
public static class LimitsSettings
{
    /// <summary>The algorithm a config string names, or null.</summary>
    public static LimitAlgorithm? ParseAlgorithm(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "token_bucket" or "token-bucket" or "tokenbucket" => LimitAlgorithm.TokenBucket,
        "sliding_window" or "sliding-window" or "slidingwindow" => LimitAlgorithm.SlidingWindow,
        _ => null,
    };

    public static LimiterSettings From(LimitsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new LimiterSettings
        {
            Algorithm = ParseAlgorithm(options.Algorithm) ?? LimitAlgorithm.TokenBucket,
            FailOpen = options.RedisFailOpen,
        };
    }
}
