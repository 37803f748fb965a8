namespace Switchboard.Gateway.Configuration;

/// <summary>
/// <c>routing.circuit_breaker:</c> when a deployment is taken out of rotation. After <see cref="Failures"/>
/// retryable failures in a row the router skips it for <see cref="Cooldown"/>, then lets one trial request through.
/// </summary>
public sealed class CircuitBreakerOptions
{
    /// <summary>Retryable failures (408, 429, 5xx, timeouts, unreachable) in a row that open the circuit; 0 turns breaking off.</summary>
    public int Failures { get; set; } = 5;

    /// <summary>How long an open deployment is skipped before one trial request may try it again.</summary>
    public TimeSpan Cooldown { get; set; } = TimeSpan.FromSeconds(30);
}
