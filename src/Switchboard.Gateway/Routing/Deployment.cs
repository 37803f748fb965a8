using Switchboard.Pipeline;

namespace Switchboard.Gateway.Routing;

/// <summary>The runtime form of one deployment: the provider instance to call and the upstream model name.</summary>
public sealed class Deployment
{
    public Deployment(IChatProvider provider, string upstreamModel, double weight, decimal? inputPerMillion, decimal? outputPerMillion)
    {
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
}
