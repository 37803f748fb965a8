namespace Switchboard.Limits;

/// <summary>
/// The limiter's answer for one request, and the handle its real usage and cost are settled on afterwards
/// (<see cref="ILimitStore.Settle"/>).
/// </summary>
public sealed class Admission
{
    /// <summary>Nothing applied: no limit, no budget. Settling it does nothing.</summary>
    public static Admission Unlimited { get; } = new() { Outcome = AdmissionOutcome.Admitted };

    /// <summary>Admitted, refused over a limit or a budget, or refused because the counters are out of reach.</summary>
    public required AdmissionOutcome Outcome { get; init; }

    /// <summary>When a refused request could pass (for <c>retry-after</c>); zero when admitted.</summary>
    public TimeSpan RetryAfter { get; init; }

    /// <summary>The tightest request limit that applied, for the <c>x-ratelimit-*-requests</c> headers.</summary>
    public RateLimitStatus? Requests { get; init; }

    /// <summary>The tightest token limit that applied, for the <c>x-ratelimit-*-tokens</c> headers.</summary>
    public RateLimitStatus? Tokens { get; init; }

    /// <summary>The limit that refused the request, for its message; null unless <see cref="AdmissionOutcome.RateLimited"/>.</summary>
    public RateLimit? ExceededLimit { get; init; }

    /// <summary>True when <see cref="ExceededLimit"/> refused for tokens, false for requests.</summary>
    public bool ExceededTokens { get; init; }

    /// <summary>The budget period that is spent; null unless <see cref="AdmissionOutcome.OverBudget"/>.</summary>
    public BudgetPeriod? ExceededBudget { get; init; }

    /// <summary>The index in <see cref="AdmissionRequest.Alternatives"/> of the limit that was taken; -1 when none was.</summary>
    public int Alternative { get; init; } = -1;

    /// <summary>True when the shared store was out of reach and this process's own counters decided.</summary>
    public bool Local { get; init; }

    /// <summary>True when every limit and the budget let the request through.</summary>
    public bool IsAdmitted => Outcome == AdmissionOutcome.Admitted;

    /// <summary>The store that counted this request, and what it needs to settle it.</summary>
    internal ILimitStore? Store { get; init; }

    /// <summary>The request this admission counted; null when nothing applied or it was refused before counting.</summary>
    public AdmissionRequest? Request { get; internal init; }

    /// <summary>The limiter's clock at admission, in Unix milliseconds.</summary>
    internal long AdmittedAtMs { get; init; }

    private int _settled;

    /// <summary>True the first time only: a request is settled once even if two paths try.</summary>
    internal bool TryMarkSettled() => Interlocked.Exchange(ref _settled, 1) == 0;
}
