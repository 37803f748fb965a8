using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Errors;
using Switchboard.Gateway.Configuration;
using Switchboard.OpenAI;
using Switchboard.Pipeline;
using Switchboard.Streaming;

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
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<Router> _logger;

    public Router(RouteTable routes, IEnumerable<ILoadBalancingPolicy> policies, IOptions<SwitchboardOptions> options, TimeProvider timeProvider, ILogger<Router> logger)
    {
        _timeProvider = timeProvider;
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
            async (deployment, ct) => await FirstChunkArrivedAsync(await deployment.Provider.ChatAsync(request with { Model = deployment.UpstreamModel }, context.RequestHeaders, ct), ct),
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
                var untried = Untried(model, tried);
                if (untried.Count == 0)
                {
                    // Every deployment failed once. One that said "slow down" is not asked again at once:
                    // go on to the fallbacks. Other failures are retried after a short, growing pause.
                    if (lastError?.StatusCode == 429)
                    {
                        break;
                    }

                    await Task.Delay(Backoff(attempt), _timeProvider, cancellationToken);
                    untried = model.Deployments;
                }

                var deployment = untried.Count == 1 ? untried[0] : _policy.Pick(model.Name, untried);
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

    /// <summary>
    /// Waits for a stream's first chunk before the stream is handed on: some upstreams answer 200 and then
    /// fail in their first event. Until a byte reaches the client that is still a plain, retryable failure.
    /// </summary>
    private static async ValueTask<ChatResult> FirstChunkArrivedAsync(ChatResult result, CancellationToken cancellationToken)
    {
        if (result is not ChatResult.Streaming streaming)
        {
            return result;
        }

        var chunks = streaming.Chunks.GetAsyncEnumerator(cancellationToken);
        bool any;
        try
        {
            any = await chunks.MoveNextAsync();
        }
        catch (ChatStreamException ex)
        {
            await chunks.DisposeAsync();
            return ChatResult.From(ex.Error);
        }
        catch
        {
            await chunks.DisposeAsync();
            throw;
        }

        return new ChatResult.Streaming(Resume(any, chunks));
    }

    private static async IAsyncEnumerable<StreamedChunk> Resume(bool any, IAsyncEnumerator<StreamedChunk> chunks)
    {
        await using (chunks)
        {
            if (!any)
            {
                yield break;
            }

            yield return chunks.Current;
            while (await chunks.MoveNextAsync())
            {
                yield return chunks.Current;
            }
        }
    }

    private static IReadOnlyList<Deployment> Untried(ModelRoute model, List<Deployment>? tried) =>
        tried is null ? model.Deployments : [.. model.Deployments.Where(d => !tried.Contains(d))];

    /// <summary>100 ms, 200 ms, 400 ms … up to 2 s, each with up to 50 % random jitter so retries do not march in step.</summary>
    private static TimeSpan Backoff(int attempt)
    {
        var baseMs = Math.Min(2000, 100 * (1 << Math.Min(attempt, 5)));
#pragma warning disable CA5394 // Jitter needs no cryptographic randomness.
        return TimeSpan.FromMilliseconds(baseMs * (1 + (Random.Shared.NextDouble() / 2)));
#pragma warning restore CA5394
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
