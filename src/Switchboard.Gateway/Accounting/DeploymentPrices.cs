using Switchboard.Gateway.Routing;

namespace Switchboard.Gateway.Accounting;

/// <summary>What a request cost: the answering deployment's prices per million tokens, by <c>provider/model</c>.</summary>
public sealed class DeploymentPrices
{
    private readonly Dictionary<(string Provider, string Model), Deployment> _deployments = [];

    public DeploymentPrices(RouteTable routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        foreach (var deployment in routes.Models.SelectMany(m => m.Deployments))
        {
            _deployments.TryAdd((deployment.Provider.Name, deployment.UpstreamModel), deployment);
        }
    }

    /// <summary>The deployment <paramref name="provider"/> serves <paramref name="model"/> as, if configured.</summary>
    public Deployment? Find(string? provider, string? model) =>
        provider is null || model is null ? null : _deployments.GetValueOrDefault((provider, model));

    /// <summary>USD for the tokens; zero when the deployment has no prices.</summary>
    public static decimal Cost(Deployment? deployment, int inputTokens, int outputTokens) =>
        deployment is null ? 0m : ((deployment.InputPerMillion ?? 0m) * inputTokens + (deployment.OutputPerMillion ?? 0m) * outputTokens) / 1_000_000m;
}
