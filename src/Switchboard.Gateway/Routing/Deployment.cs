using Switchboard.Gateway.Pipeline;
using Switchboard.Limits;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Routing;

/// <summary>The runtime form of one deployment: the provider instance to call and the upstream model name.</summary>
public sealed class Deployment
{
    /// <summary>A deployment of <paramref name="upstreamModel"/> on <paramref name="provider"/>, with its weight, prices and circuit breaker.</summary>
    public Deployment(IChatProvider provider, string upstreamModel, double weight, decimal? inputPerMillion, decimal? outputPerMillion, CircuitBreaker circuit)
    {
        ArgumentNullException.ThrowIfNull(provider);
        Circuit = circuit;
        Provider = provider;
        UpstreamModel = upstreamModel;
        Weight = weight;
        InputPerMillion = inputPerMillion;
        OutputPerMillion = outputPerMillion;
        Prices = inputPerMillion is null && outputPerMillion is null ? TokenPrices.None : new TokenPrices(inputPerMillion, outputPerMillion);
        Id = provider.Name + "/" + upstreamModel;
    }

    /// <summary><c>provider/model</c>, unique within a route table.</summary>
    public string Id { get; }

    /// <summary>The provider instance requests are sent to.</summary>
    public IChatProvider Provider { get; }

    /// <summary>The provider's name in configuration (<c>providers[].name</c>).</summary>
    public string ProviderName => Provider.Name;

    /// <summary>The model name the provider knows (what is spliced into the request).</summary>
    public string UpstreamModel { get; }

    /// <summary>Share of traffic relative to the model's other deployments.</summary>
    public double Weight { get; }

    /// <summary>USD per million prompt tokens (<c>input_per_million</c>); null when not configured.</summary>
    public decimal? InputPerMillion { get; }

    /// <summary>USD per million completion tokens (<c>output_per_million</c>); null when not configured.</summary>
    public decimal? OutputPerMillion { get; }

    /// <summary>The two prices together, as budgets count them (made once, not per request).</summary>
    public TokenPrices Prices { get; }

    /// <summary>What <paramref name="usage"/> costs in USD at this deployment's prices; null when it has none (a missing one of the two counts as free).</summary>
    public decimal? CostOf(TokenUsage usage)
    {
        if (InputPerMillion is null && OutputPerMillion is null)
        {
            return null;
        }

        return ((usage.PromptTokens * (InputPerMillion ?? 0)) + (usage.CompletionTokens * (OutputPerMillion ?? 0))) / 1_000_000m;
    }

    /// <summary>Takes the deployment out of rotation while it keeps failing; shared by every model that uses the same <see cref="Id"/>.</summary>
    public CircuitBreaker Circuit { get; }
}
