namespace Switchboard.Gateway.Routing;

/// <summary>
/// How long the router pauses before it asks a model's deployments again after each failed once. A strategy of
/// its own so that tests decide it (and so that no test has to spin a fake clock past a random pause).
/// </summary>
public interface IRetryBackoff
{
    /// <summary>The pause before the <paramref name="retry"/>-th round of retries (1 for the first); zero for none.</summary>
    TimeSpan Delay(int retry);
}
