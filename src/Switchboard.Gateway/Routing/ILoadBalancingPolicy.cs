namespace Switchboard.Gateway.Routing;

/// <summary>Picks one deployment among several that serve the same model. Chosen by <c>routing.load_balancing</c>.</summary>
public interface ILoadBalancingPolicy
{
    /// <summary>The configuration value that selects this policy.</summary>
    string Name { get; }

    /// <summary>Picks from <paramref name="candidates"/>, which is never empty.</summary>
    Deployment Pick(string model, IReadOnlyList<Deployment> candidates);
}
