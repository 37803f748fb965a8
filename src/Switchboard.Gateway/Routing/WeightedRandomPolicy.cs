namespace Switchboard.Gateway.Routing;

/// <summary>Picks a deployment at random in proportion to its <c>weight</c> (the default policy).</summary>
public sealed class WeightedRandomPolicy : ILoadBalancingPolicy
{
    /// <inheritdoc />
    public string Name => "weighted";

    /// <inheritdoc />
    public Deployment Pick(string model, IReadOnlyList<Deployment> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count == 1)
        {
            return candidates[0];
        }

        var total = 0.0;
        foreach (var candidate in candidates)
        {
            total += candidate.Weight;
        }

#pragma warning disable CA5394 // Load spreading needs no cryptographic randomness.
        var point = Random.Shared.NextDouble() * total;
#pragma warning restore CA5394
        foreach (var candidate in candidates)
        {
            point -= candidate.Weight;
            if (point < 0)
            {
                return candidate;
            }
        }

        return candidates[^1];
    }
}
