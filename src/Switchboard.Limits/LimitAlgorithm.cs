namespace Switchboard.Limits;

/// <summary>How a per-minute limit is counted (<c>limits.algorithm</c>).</summary>
public enum LimitAlgorithm
{
    /// <summary>
    /// A bucket that holds a minute's worth and refills continuously: bursts up to the limit, then a steady
    /// rate. The default (docs/decisions.md).
    /// </summary>
    TokenBucket,

    /// <summary>
    /// A sliding window approximated from the current and the previous fixed minute, weighted by how much of
    /// the previous one still overlaps the last 60 seconds.
    /// </summary>
    SlidingWindow,
}
