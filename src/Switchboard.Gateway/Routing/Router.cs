using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Errors;
using Switchboard.Gateway.Configuration;
using Switchboard.OpenAI;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Routing;

/// <summary>
/// Sends a request to a deployment of the model it names: resolves names, aliases and rules, picks a
/// deployment with the configured policy, retries retryable failures on other deployments, then tries the
/// fallback models in order. A stream is returned only once its upstream has answered with success, so
/// every retry happens before the first byte reaches the client.
/// </summary>
public sealed partial class Router
{
    /// <summary>The <see cref="ChatContext.Items"/> key of the deployment that answered.</summary>
    public const string DeploymentItem = "switchboard.deployment";

    private readonly RouteTable _routes;
    private readonly ILoadBalancingPolicy _policy;
    private readonly int _retries;
    private readonly ILogger<Router> _logger;

    public Router(RouteTable routes, IEnumerable<ILoadBalancingPolicy> policies, IOptions<SwitchboardOptions> options, ILogger<Router> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _routes = routes;
        _policy = policies.First(p => string.Equals(p.Name, options.Value.Routing.LoadBalancing, StringComparison.OrdinalIgnoreCase));
        _retries = options.Value.Routing.Retries;
        _logger = logger;
    }

    public RouteTable Routes => _routes;

    public async ValueTask<ChatResult> ChatAsync(ChatContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        var outcome = await RouteAsync(
            context.RequestedModel,
            context.ResponseHeaders,
            (deployment, ct) => deployment.Provider.ChatAsync(request with { Model = deployment.UpstreamModel }, ct),
            static result => (result as ChatResult.Failed)?.Error,
            cancellationToken);
        if (outcome.Deployment is not null)
        {
            context.Items[DeploymentItem] = outcome.Deployment;
        }

        return outcome.Result ?? ChatResult.From(outcome.Error!);
    }

    public async ValueTask<EmbeddingResult> EmbedAsync(EmbeddingRequest request, IDictionary<string, string> responseHeaders, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var outcome = await RouteAsync(
            request.Model ?? string.Empty,
            responseHeaders,
            (deployment, ct) => deployment.Provider.EmbedAsync(request with { Model = deployment.UpstreamModel }, ct),
            static result => result.Error,
            cancellationToken);
        return outcome.Result ?? EmbeddingResult.Failure(outcome.Error!);
    }

    private async ValueTask<RouteOutcome<TResult>> RouteAsync<TResult>(
        string requestedModel,
        IDictionary<string, string> responseHeaders,
        Func<Deployment, CancellationToken, ValueTask<TResult>> call,
        Func<TResult, GatewayError?> errorOf,
        CancellationToken cancellationToken)
        where TResult : class
    {
        var route = _routes.Resolve(requestedModel);
        if (route is null)
        {
            return new(null, GatewayError.ModelNotFound(requestedModel), null);
        }

        var attempts = 0;
        GatewayError? lastError = null;
        foreach (var model in ModelsToTry(route))
        {
            List<Deployment>? tried = null;
            for (var attempt = 0; attempt <= _retries; attempt++)
            {
                var deployment = PickDeployment(model, tried);
                (tried ??= []).Add(deployment);
                attempts++;

                var result = await call(deployment, cancellationToken);
                var error = errorOf(result);
                responseHeaders[GatewayHeaders.Attempts] = attempts.ToString(CultureInfo.InvariantCulture);
                if (error is null || !IsRetryable(error) || cancellationToken.IsCancellationRequested)
                {
                    responseHeaders[GatewayHeaders.Provider] = deployment.Provider.Name;
                    responseHeaders[GatewayHeaders.Model] = deployment.UpstreamModel;
                    return new(result, null, deployment);
                }

                Log.AttemptFailed(_logger, deployment.Id, attempts, error.StatusCode, error.Message);
                lastError = error;
            }
        }

        return new(null, lastError, null);
    }

    /// <summary>Picks with the policy, preferring deployments this request has not tried yet.</summary>
    private Deployment PickDeployment(ModelRoute model, List<Deployment>? tried)
    {
        var deployments = model.Deployments;
        if (deployments.Count == 1)
        {
            return deployments[0];
        }

        if (tried is null)
        {
            return _policy.Pick(model.Name, deployments);
        }

        var untried = deployments.Where(d => !tried.Contains(d)).ToList();
        return _policy.Pick(model.Name, untried.Count > 0 ? untried : deployments);
    }

    private IEnumerable<ModelRoute> ModelsToTry(ModelRoute route)
    {
        yield return route;
        foreach (var fallback in route.Fallbacks)
        {
            if (_routes.Find(fallback) is { } fallbackRoute && fallbackRoute != route)
            {
                yield return fallbackRoute;
            }
        }
    }

    /// <summary>Failures another deployment might not have: limits, overload, upstream errors and timeouts.</summary>
    private static bool IsRetryable(GatewayError error) => error.StatusCode is 408 or 429 or >= 500;

    private sealed record RouteOutcome<TResult>(TResult? Result, GatewayError? Error, Deployment? Deployment);

    private static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Attempt {Attempt} on {Deployment} failed with {Status}: {Reason}")]
        public static partial void AttemptFailed(ILogger logger, string deployment, int attempt, int status, string reason);
    }
}
