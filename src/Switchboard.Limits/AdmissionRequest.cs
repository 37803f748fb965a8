namespace Switchboard.Limits;

/// <summary>Everything the limiter needs to admit one request: the limits that apply, the tokens it is expected to take, the key's budget.</summary>
public sealed record AdmissionRequest
{
    /// <summary>The rate limits that apply (key, end user, model, deployment); inactive ones are ignored.</summary>
    public required IReadOnlyList<RateLimit> Limits { get; init; }

    /// <summary>
    /// Tokens taken from every token limit at admission (prompt tokens counted plus the completion expected),
    /// corrected with the real usage by <see cref="ILimitStore.Settle"/>. A limit smaller than this takes only its
    /// whole capacity, so a large request waits for a full bucket instead of being refused forever.
    /// </summary>
    public long EstimatedTokens { get; init; }

    /// <summary>The caller's budget, or null.</summary>
    public BudgetLimit? Budget { get; init; }
}
