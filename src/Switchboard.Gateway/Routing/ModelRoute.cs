namespace Switchboard.Gateway.Routing;

/// <summary>The runtime form of one public model: its deployments and the models to fall back to.</summary>
/// <param name="Name">The public model name (<c>models[].name</c>), whatever alias or rule led to it.</param>
/// <param name="Deployments">Who serves it, in configuration order; never empty.</param>
/// <param name="Fallbacks">Models to try, in order, when every deployment failed (<c>routing.fallbacks</c>).</param>
public sealed record ModelRoute(string Name, IReadOnlyList<Deployment> Deployments, IReadOnlyList<string> Fallbacks)
{
    /// <summary>How this model's answers are cleaned; null when <c>clean</c> is off.</summary>
    public ModelCleaning? Cleaning { get; init; }

    /// <summary>The model's context window in tokens (<c>context_window</c>); null when the configuration does not say.</summary>
    public int? ContextWindow { get; init; }

    /// <summary>Whether prompts to this model are compressed unless a request says otherwise (<c>compress</c>).</summary>
    public bool Compress { get; init; }

    /// <summary>The highest <c>input_per_million</c> among the deployments (what a request may cost before one is picked); null when none has a price.</summary>
    public decimal? InputPerMillion { get; } = Highest(Deployments, static d => d.InputPerMillion);

    /// <summary>The highest <c>output_per_million</c> among the deployments; null when none has a price.</summary>
    public decimal? OutputPerMillion { get; } = Highest(Deployments, static d => d.OutputPerMillion);

    private static decimal? Highest(IReadOnlyList<Deployment> deployments, Func<Deployment, decimal?> price)
    {
        decimal? highest = null;
        foreach (var deployment in deployments)
        {
            if (price(deployment) is { } value && (highest is null || value > highest))
            {
                highest = value;
            }
        }

        return highest;
    }
}
