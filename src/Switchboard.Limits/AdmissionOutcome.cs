namespace Switchboard.Limits;

/// <summary>Whether a request may go on, and if not, why.</summary>
public enum AdmissionOutcome
{
    /// <summary>Within every limit and budget: counted, go on.</summary>
    Admitted,

    /// <summary>A rate limit is reached (429 <c>rate_limit_exceeded</c>).</summary>
    RateLimited,

    /// <summary>The key has spent its budget for a period (429 <c>insufficient_quota</c>).</summary>
    OverBudget,

    /// <summary>The shared counters cannot be reached and the limiter is configured to fail closed (503).</summary>
    Unavailable,
}
