namespace Switchboard.Gateway.Routing;

/// <summary>What an outcome reported to a <see cref="CircuitBreaker"/> changed, so the caller can log it.</summary>
public enum CircuitTransition
{
    /// <summary>Nothing changed.</summary>
    None,

    /// <summary>Too many failures in a row: the deployment is skipped for the cooldown.</summary>
    Opened,

    /// <summary>The trial request succeeded: the deployment is back in rotation.</summary>
    Closed,

    /// <summary>The trial request failed: the deployment is skipped for another cooldown.</summary>
    Reopened,
}
