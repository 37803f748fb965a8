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

    /// <summary>
    /// Limits of which exactly one is taken: the first, in this order, with room for the request (the
    /// deployments of a model, each with its own capacity). Empty when there is no choice to make. A request is
    /// refused only when none has room; <see cref="Admission.Alternative"/> says which one it took.
    /// </summary>
    public IReadOnlyList<RateLimit> Alternatives { get; init; } = [];

    /// <summary>The caller's budget, or null.</summary>
    public BudgetLimit? Budget { get; init; }
}
