using System.Collections.Concurrent;

namespace Switchboard.Gateway.Routing;

/// <summary>Takes the deployments of a model in turn, ignoring weights.</summary>
public sealed class RoundRobinPolicy : ILoadBalancingPolicy
{
    private readonly ConcurrentDictionary<string, StrongBox> _counters = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public string Name => "round-robin";

    /// <inheritdoc />
    public Deployment Pick(string model, IReadOnlyList<Deployment> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var counter = _counters.GetOrAdd(model, static _ => new StrongBox());
        var next = (uint)Interlocked.Increment(ref counter.Value);
        return candidates[(int)(next % (uint)candidates.Count)];
    }

    private sealed class StrongBox
    {
        public int Value = -1;
    }
}
