using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Switchboard.Client.Http;

/// <summary>The optional retry strategy (Microsoft.Extensions.Http.Resilience): exponential backoff with jitter that honours <c>retry-after</c>.</summary>
internal static class RetryPipeline
{
    /// <summary>The longest a computed backoff may be; a server's <c>retry-after</c> is honoured as it is.</summary>
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, LlmClientOptions options)
    {
        if (options.MaxRetries <= 0)
        {
            return;
        }

        builder.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = options.MaxRetries,
            Delay = options.RetryDelay,
            MaxDelay = MaxBackoff,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            ShouldRetryAfterHeader = true,
        });
    }
}
