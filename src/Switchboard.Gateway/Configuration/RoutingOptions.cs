using Microsoft.Extensions.Configuration;

namespace Switchboard.Gateway.Configuration;

/// <summary><c>routing:</c> rules from requested names to models, fallbacks, retries, timeouts and circuit breaking.</summary>
public sealed class RoutingOptions
{
    /// <summary>Glob patterns on the requested model; the first that matches names the model to use.</summary>
    public List<RoutingRule> Rules { get; set; } = [];

    /// <summary>For each model, the models to try in order when all its deployments failed.</summary>
    public Dictionary<string, List<string>> Fallbacks { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Extra attempts on another deployment of the same model after a retryable failure.</summary>
    public int Retries { get; set; }

    /// <summary>The default time one upstream call may take; a provider's own <c>timeout</c> wins.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How a deployment is picked among several: <c>weighted</c> (default) or <c>round-robin</c>.</summary>
    [ConfigurationKeyName("load_balancing")]
    public string LoadBalancing { get; set; } = "weighted";

    /// <summary>Skips a deployment for a while after it failed several times in a row.</summary>
    [ConfigurationKeyName("circuit_breaker")]
    public CircuitBreakerOptions CircuitBreaker { get; set; } = new();
}
