namespace Switchboard.Limits;

/// <summary>
/// The values of one pair of OpenAI rate-limit headers: the limit, what is left of it and when it is whole
/// again (<c>x-ratelimit-limit-requests</c>, <c>-remaining-requests</c>, <c>-reset-requests</c> and the
/// <c>-tokens</c> ones).
/// </summary>
/// <param name="Limit">Requests or tokens per minute.</param>
/// <param name="Remaining">What could still be taken now (never negative).</param>
/// <param name="Reset">How long until the limit is fully available again.</param>
public readonly record struct RateLimitStatus(long Limit, long Remaining, TimeSpan Reset)
{
    /// <summary>True when this status is tighter than <paramref name="other"/>: less left, or as little for longer.</summary>
    public bool IsTighterThan(RateLimitStatus other) =>
        Remaining < other.Remaining || (Remaining == other.Remaining && Reset > other.Reset);
}
