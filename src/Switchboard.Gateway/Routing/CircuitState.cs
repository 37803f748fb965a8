namespace Switchboard.Gateway.Routing;

/// <summary>Where a deployment's <see cref="CircuitBreaker"/> stands.</summary>
public enum CircuitState
{
    /// <summary>In rotation.</summary>
    Closed,

    /// <summary>Skipped by the router until its cooldown is over and a trial request takes it.</summary>
    Open,

    /// <summary>One trial request is out; everyone else still skips the deployment.</summary>
    HalfOpen,
}
