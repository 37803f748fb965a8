namespace Switchboard.Gateway.Routing;

/// <summary>Picks a deployment at random in proportion to its <c>weight</c> (the default policy).</summary>
public sealed class WeightedRandomPolicy : ILoadBalancingPolicy
{
    private readonly Func<double> _random;

    /// <summary>Picks with <see cref="Random.Shared"/>.</summary>
#pragma warning disable CA5394 // Load spreading needs no cryptographic randomness.
    public WeightedRandomPolicy()
        : this(static () => Random.Shared.NextDouble())
#pragma warning restore CA5394
    {
    }

    /// <param name="random">Returns a fraction in [0, 1) (a seeded <c>new Random(seed).NextDouble</c>, say): where the pick falls along the summed weights.</param>
    public WeightedRandomPolicy(Func<double> random)
    {
        ArgumentNullException.ThrowIfNull(random);
        _random = random;
    }

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

        var point = Math.Clamp(_random(), 0, 1) * total;
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
