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
/// deployment with the configured policy (skipping those whose <see cref="CircuitBreaker"/> is open), retries
/// retryable failures on other deployments, then tries the fallback models in order. A stream is returned only once its upstream has answered with success, so
/// every retry happens before the first byte reaches the client.
/// </summary>
public sealed partial class Router
{
    /// <summary>The <see cref="ChatContext.Items"/> key of the deployment that answered.</summary>
    public const string DeploymentItem = "switchboard.deployment";

    /// <summary>How many chunks without content a stream may send before the first one with content and still be retried.</summary>
    public const int MaxHeldChunks = 32;

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
        var clientJson = context.ClientJson;
        var outcome = await RouteAsync(
            context.RequestedModel,
            context.ResponseHeaders,
            async (deployment, ct) => await FirstChunkArrivedAsync(await deployment.Provider.ChatAsync(request with { Model = deployment.UpstreamModel, ClientJson = clientJson }, context.RequestHeaders, ct), ct),
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
        List<Deployment>? skipped = null;
        foreach (var model in ModelsToTry(route))
        {
            List<Deployment>? tried = null;
            for (var attempt = 0; attempt <= _retries; attempt++)
            {
                var untried = Untried(model, tried);
                if (untried.Count == 0)
                {
                    // Every deployment failed once. One that said "slow down" is not asked again at once, and
                    // there is no point waiting for deployments whose circuits just opened: go on to the
                    // fallbacks. Other failures are retried after a short, growing pause.
                    if (lastError?.StatusCode == 429 || !AnyInRotation(model.Deployments))
                    {
                        break;
                    }

                    await Task.Delay(Backoff(attempt), _timeProvider, cancellationToken);
                    untried = model.Deployments;
                }

                var (deployment, trial) = Pick(model.Name, untried, ref skipped);
                if (deployment is null)
                {
                    // The deployments not yet tried are all open. One already tried may still take a retry after
                    // the pause (skipping asked nobody, so it is not an attempt); otherwise every deployment is
                    // open: the fallbacks, as if they had all failed.
                    if (tried is not null && untried.Count < model.Deployments.Count && AnyInRotation(model.Deployments))
                    {
                        tried.AddRange(untried);
                        attempt--;
                        continue;
                    }

                    break;
                }

                (tried ??= []).Add(deployment);
                attempts++;

                TResult result;
                try
                {
                    result = await call(deployment, cancellationToken);
                }
                catch
                {
                    // Cancelled by the client (or a bug): nothing learnt about the upstream, but a trial's slot must be freed.
                    deployment.Circuit.OnAbandoned(trial);
                    throw;
                }

                var error = errorOf(result);
                var retryable = error is not null && IsRetryable(error);
                Record(deployment, trial, error, retryable, cancellationToken);
                responseHeaders[GatewayHeaders.Attempts] = attempts.ToString(CultureInfo.InvariantCulture);
                if (!retryable || cancellationToken.IsCancellationRequested)
                {
                    responseHeaders[GatewayHeaders.Provider] = deployment.Provider.Name;
                    responseHeaders[GatewayHeaders.Model] = deployment.UpstreamModel;
                    return new(result, null, deployment);
                }

                Log.AttemptFailed(_logger, deployment.Id, attempts, error!.StatusCode, error.Message);
                lastError = error;
            }
        }

        if (lastError is null && skipped is not null)
        {
            responseHeaders[GatewayHeaders.Attempts] = "0";
            return new(null, CircuitOpen(route.Name, skipped), null);
        }

        return new(null, lastError, null);
    }

    /// <summary>
    /// Picks among the deployments whose circuits are closed. A deployment whose cooldown is over comes first:
    /// this request is its trial (its handle is returned). Null when every one is open; those are added to
    /// <paramref name="skipped"/>.
    /// </summary>
    private (Deployment? Deployment, long Trial) Pick(string model, IReadOnlyList<Deployment> untried, ref List<Deployment>? skipped)
    {
        if (AllClosed(untried))
        {
            return (untried.Count == 1 ? untried[0] : _policy.Pick(model, untried), CircuitBreaker.NoTrial);
        }

        List<Deployment>? closed = null;
        for (var i = 0; i < untried.Count; i++)
        {
            var deployment = untried[i];
            var circuit = deployment.Circuit;
            if (circuit.IsClosed)
            {
                (closed ??= []).Add(deployment);
            }
            else if (circuit.TryStartTrial(out var trial))
            {
                return (deployment, trial);
            }
            else if (!(skipped ??= []).Contains(deployment))
            {
                skipped.Add(deployment);
            }
        }

        return closed is null ? (null, CircuitBreaker.NoTrial) : (closed.Count == 1 ? closed[0] : _policy.Pick(model, closed), CircuitBreaker.NoTrial);
    }

    private void Record(Deployment deployment, long trial, GatewayError? error, bool retryable, CancellationToken cancellationToken)
    {
        var circuit = deployment.Circuit;
        if (error is { BeforeUpstream: true })
        {
            // The provider refused the request itself (a field its upstream cannot take): nothing was asked.
            circuit.OnAbandoned(trial);
            return;
        }

        if (!retryable)
        {
            // Success or a client error: either way the upstream is answering.
            if (circuit.OnSuccess(trial) == CircuitTransition.Closed)
            {
                Log.CircuitClosed(_logger, deployment.Id);
            }

            return;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            // The failure may be the cancellation itself; it says nothing about the upstream.
            circuit.OnAbandoned(trial);
            return;
        }

        switch (circuit.OnFailure(trial))
        {
            case CircuitTransition.Opened:
                Log.CircuitOpened(_logger, deployment.Id, circuit.FailureThreshold, circuit.Cooldown.TotalSeconds, error!.StatusCode);
                break;
            case CircuitTransition.Reopened:
                Log.CircuitReopened(_logger, deployment.Id, error!.StatusCode, circuit.Cooldown.TotalSeconds);
                break;
        }
    }

    private static bool AllClosed(IReadOnlyList<Deployment> deployments)
    {
        for (var i = 0; i < deployments.Count; i++)
        {
            if (!deployments[i].Circuit.IsClosed)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when a deployment is closed or may take a trial request.</summary>
    private static bool AnyInRotation(IReadOnlyList<Deployment> deployments)
    {
        for (var i = 0; i < deployments.Count; i++)
        {
            var circuit = deployments[i].Circuit;
            if (circuit.IsClosed || circuit.RemainingCooldown == TimeSpan.Zero)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>503 naming the open deployments, with <c>retry-after</c> set to when the first of them may be tried again.</summary>
    private static GatewayError CircuitOpen(string model, List<Deployment> open)
    {
        var retryAfter = open.Min(d => d.Circuit.RemainingCooldown);
        return GatewayError.Unavailable(
            $"No deployment of '{model}' can take the request: the circuit is open for {string.Join(", ", open.Select(d => d.Id))} "
            + $"after repeated upstream failures. Retry after {Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture)} s.",
            retryAfter: retryAfter);
    }

    /// <summary>
    /// Holds a stream back until its first chunk with content, a tool call or a refusal (or one that finishes it)
    /// before handing it on. Upstreams answer 200 and send a role-only chunk first, then may fail (content
    /// filters, overloaded backends, a dropped connection) or end with nothing at all; until something of substance
    /// reached the client that is still a plain, retryable failure that the circuit breaker counts. At most
    /// <see cref="MaxHeldChunks"/> empty chunks are held; a stream that sends more is handed on as it is.
    /// </summary>
    private static async ValueTask<ChatResult> FirstChunkArrivedAsync(ChatResult result, CancellationToken cancellationToken)
    {
        if (result is not ChatResult.Streaming streaming)
        {
            return result;
        }

        var chunks = streaming.Chunks.GetAsyncEnumerator(cancellationToken);
        List<StreamedChunk>? held = null;
        try
        {
            while (true)
            {
                if (!await chunks.MoveNextAsync())
                {
                    await chunks.DisposeAsync();
                    return ChatResult.From(GatewayError.BadGateway("The upstream ended the stream without sending any content."));
                }

                var chunk = chunks.Current;
                if (chunk.CarriesContent || chunk.Finishes || held?.Count >= MaxHeldChunks)
                {
                    return new ChatResult.Streaming(Resume(held, chunk, chunks));
                }

                (held ??= []).Add(chunk);
            }
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
    }

    private static async IAsyncEnumerable<StreamedChunk> Resume(List<StreamedChunk>? held, StreamedChunk first, IAsyncEnumerator<StreamedChunk> chunks)
    {
        await using (chunks)
        {
            if (held is not null)
            {
                foreach (var chunk in held)
                {
                    yield return chunk;
                }
            }

            yield return first;
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

        [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Circuit for {Deployment} opened after {Failures} failures in a row (last {Status}); skipping it for {CooldownSeconds} s")]
        public static partial void CircuitOpened(ILogger logger, string deployment, int failures, double cooldownSeconds, int status);

        [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Circuit for {Deployment} re-opened: the trial request failed with {Status}; skipping it for another {CooldownSeconds} s")]
        public static partial void CircuitReopened(ILogger logger, string deployment, int status, double cooldownSeconds);

        [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Circuit for {Deployment} closed: the trial request succeeded")]
        public static partial void CircuitClosed(ILogger logger, string deployment);
    }
}
