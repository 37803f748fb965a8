using System.Globalization;
using Switchboard.Errors;
using Switchboard.Limits;

namespace Switchboard.Gateway.Limits;

/// <summary>The OpenAI error answers for a refused admission: 429 <c>rate_limit_exceeded</c>, 429 <c>insufficient_quota</c>, 503.</summary>
public static class LimitErrors
{
    /// <summary>The <c>code</c> of a 429 for a spent budget, as OpenAI sends it for an exhausted quota.</summary>
    public const string InsufficientQuota = "insufficient_quota";

    /// <summary>The <c>code</c> of the 503 while the shared counters are out of reach and the limiter fails closed.</summary>
    public const string LimiterUnavailable = "rate_limiter_unavailable";

    /// <summary>The error for a refused admission; null when it was admitted.</summary>
    public static GatewayError? From(Admission admission)
    {
        ArgumentNullException.ThrowIfNull(admission);
        return admission.Outcome switch
        {
            AdmissionOutcome.RateLimited => GatewayError.RateLimited(RateLimitMessage(admission), AtLeastOneSecond(admission.RetryAfter)),
            AdmissionOutcome.OverBudget => new GatewayError
            {
                StatusCode = 429,
                Type = ErrorTypes.RateLimit,
                Code = InsufficientQuota,
                Message = admission.ExceededBudget switch
                {
                    BudgetPeriod.Day => "This key has spent its daily budget. It is available again at 00:00 UTC.",
                    BudgetPeriod.Month => "This key has spent its monthly budget. It is available again on the 1st of next month (UTC).",
                    _ => "This key has spent its total budget. Ask an administrator to raise it.",
                },
                RetryAfter = admission.RetryAfter > TimeSpan.Zero ? admission.RetryAfter : null,
            },
            AdmissionOutcome.Unavailable => new GatewayError
            {
                StatusCode = 503,
                Type = ErrorTypes.Server,
                Code = LimiterUnavailable,
                Message = "Rate limits cannot be checked right now (their shared store is unreachable). Please retry shortly.",
                RetryAfter = AtLeastOneSecond(admission.RetryAfter),
            },
            _ => null,
        };
    }

    private static TimeSpan AtLeastOneSecond(TimeSpan retryAfter) => retryAfter < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : retryAfter;

    private static string RateLimitMessage(Admission admission)
    {
        var limit = admission.ExceededLimit;
        var what = limit?.Scope switch
        {
            LimitScope.Key => "this key",
            LimitScope.User => "this end user",
            LimitScope.Model => $"model '{limit.Value.Name}'",
            LimitScope.Deployment => $"every deployment of the model",
            _ => "this request",
        };
        var dimension = admission.ExceededTokens ? "tokens per minute (TPM)" : "requests per minute (RPM)";
        var amount = limit is { } l ? (admission.ExceededTokens ? l.TokensPerMinute : l.RequestsPerMinute) : 0;
        var seconds = Math.Max(1, Math.Ceiling(admission.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return $"Rate limit reached for {what} on {dimension}: limit {amount.ToString(CultureInfo.InvariantCulture)}. Please try again in {seconds}s.";
    }
}
