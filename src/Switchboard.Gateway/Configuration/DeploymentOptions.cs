using Microsoft.Extensions.Configuration;

namespace Switchboard.Gateway.Configuration;

/// <summary>One upstream model that serves a public model: a provider, its model name, a weight and prices.</summary>
public sealed class DeploymentOptions
{
    /// <summary>The <c>providers[].name</c> of the provider that serves this deployment.</summary>
    public string Provider { get; set; } = string.Empty;

    /// <summary>The model name the provider knows; defaults to the public model name.</summary>
    public string? Model { get; set; }

    /// <summary>Share of traffic relative to the other deployments of the same model.</summary>
    public double Weight { get; set; } = 1;

    /// <summary>USD per million prompt tokens, for cost and budgets.</summary>
    [ConfigurationKeyName("input_per_million")]
    public decimal? InputPerMillion { get; set; }

    /// <summary>USD per million completion tokens, for cost and budgets.</summary>
    [ConfigurationKeyName("output_per_million")]
    public decimal? OutputPerMillion { get; set; }

    /// <summary>The deployment's own capacity in requests per minute (the upstream's quota); 0 for no limit.</summary>
    public long Rpm { get; set; }

    /// <summary>The deployment's own capacity in tokens per minute; 0 for no limit.</summary>
    public long Tpm { get; set; }
}
