using Switchboard.Pipeline;

namespace Switchboard.Gateway.Routing;

/// <summary>The runtime form of one deployment: the provider instance to call and the upstream model name.</summary>
public sealed class Deployment
{
    public Deployment(IChatProvider provider, string upstreamModel, double weight, decimal? inputPerMillion, decimal? outputPerMillion, CircuitBreaker circuit)
    {
        ArgumentNullException.ThrowIfNull(provider);
        Circuit = circuit;
        Provider = provider;
        UpstreamModel = upstreamModel;
        Weight = weight;
        InputPerMillion = inputPerMillion;
        OutputPerMillion = outputPerMillion;
        Id = provider.Name + "/" + upstreamModel;
    }

    /// <summary><c>provider/model</c>, unique within a route table.</summary>
    public string Id { get; }

    public IChatProvider Provider { get; }

    public string UpstreamModel { get; }

    public double Weight { get; }

    public decimal? InputPerMillion { get; }

    public decimal? OutputPerMillion { get; }

    /// <summary>Takes the deployment out of rotation while it keeps failing; shared by every model that uses the same <see cref="Id"/>.</summary>
    public CircuitBreaker Circuit { get; }
}
