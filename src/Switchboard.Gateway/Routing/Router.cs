using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Errors;
using Switchboard.Gateway.Configuration;
using Switchboard.Gateway.Pipeline;
using Switchboard.Gateway.Telemetry;
using Switchboard.Pipeline;
using Switchboard.Streaming;

namespace Switchboard.Gateway.Routing;

/// <summary>
/// Sends a request to a deployment of the model it resolved to (<see cref="GatewayContext.Route"/>): picks a
/// deployment with the configured policy (skipping those whose <see cref="CircuitBreaker"/> is open), retries
/// retryable failures on other deployments, then tries the fallback models in order. A stream is returned only
/// once its upstream has answered with success, so every retry happens before the first byte reaches the
/// client. Records what it did on the context: the serving deployment, attempts, latency, time to first
/// token and the upstream's usage.
/// </summary>
public sealed partial class Router
{
    /// <summary>How many chunks without content a stream may send before the first one with content and still be retried.</summary>
    public const int MaxHeldChunks = 32;

    private readonly RouteTable _routes;
    private readonly ILoadBalancingPolicy _policy;
    private readonly int _retries;
    private readonly TimeProvider _timeProvider;
    private readonly IRetryBackoff _backoff;
    private readonly ILogger<Router> _logger;

    /// <param name="routes">The models and their deployments.</param>
    /// <param name="policies">The load-balancing policies; <c>routing.load_balancing</c> picks one.</param>
    /// <param name="options">The configuration (retries, policy).</param>
    /// <param name="timeProvider">The clock for pauses and timings.</param>
    /// <param name="logger">Where attempts and circuit changes are logged.</param>
    /// <param name="backoff">The pause before a round of retries; <see cref="ExponentialBackoff"/> when null.</param>
    public Router(RouteTable routes, IEnumerable<ILoadBalancingPolicy> policies, IOptions<SwitchboardOptions> options, TimeProvider timeProvider, ILogger<Router> logger, IRetryBackoff? backoff = null)
    {
        _timeProvider = timeProvider;
        _backoff = backoff ?? new ExponentialBackoff();
        ArgumentNullException.ThrowIfNull(options);
        _routes = routes;
        _policy = policies.First(p => string.Equals(p.Name, options.Value.Routing.LoadBalancing, StringComparison.OrdinalIgnoreCase));
        _retries = options.Value.Routing.Retries;
        _logger = logger;
    }

    /// <summary>The route table the router sends by.</summary>
    public RouteTable Routes => _routes;

    /// <summary>Sends a chat or embeddings request: the pipeline's last step for those operations.</summary>
    public ValueTask<GatewayResult> SendAsync(GatewayContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Operation switch
        {
            GatewayOperations.Chat => ChatAsync(context, cancellationToken),
            GatewayOperations.Embeddings => EmbedAsync(context, cancellationToken),
            _ => throw new InvalidOperationException($"The router does not serve {context.Operation} requests."),
        };
    }

    /// <summary>Sends <see cref="GatewayContext.ChatRequest"/> to a deployment of <see cref="GatewayContext.Route"/>.</summary>
    public async ValueTask<GatewayResult> ChatAsync(GatewayContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var outcome = await RouteAsync(
            context,
            static async (context, deployment, ct) =>
            {
                var request = context.ChatRequest with { Model = deployment.UpstreamModel, ClientJson = context.ClientJson, AskForStreamUsage = context.RequireUsage };
                return await FirstChunkArrivedAsync(await deployment.Provider.ChatAsync(request, context.RequestHeaders, ct), context, ct);
            },
            static result => result.Error,
            cancellationToken);
        if (outcome.Result is ChatResult.Completed completed)
        {
            if (completed.Response.Usage is { } usage)
            {
                context.Usage = TokenUsage.From(usage);
            }
            else if (context.CountMissingUsage is { } count)
            {
                // The upstream reported no usage: what it answered is counted, for the stages that need numbers.
                context.Usage = count(context.ChatRequest, completed.Response);
            }
        }

        return outcome.Result ?? ChatResult.From(outcome.Error!);
    }

    /// <summary>Sends <see cref="GatewayContext.EmbeddingRequest"/> to a deployment of <see cref="GatewayContext.Route"/>.</summary>
    public async ValueTask<GatewayResult> EmbedAsync(GatewayContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var outcome = await RouteAsync(
            context,
            static (context, deployment, ct) => deployment.Provider.EmbedAsync(context.EmbeddingRequest with { Model = deployment.UpstreamModel, ClientJson = context.ClientJson }, ct),
            static result => result.Error,
            cancellationToken);
        if (outcome.Result is { Response.Usage: { } usage })
        {
            context.Usage = TokenUsage.From(usage);
        }

        return outcome.Result ?? EmbeddingResult.Failure(outcome.Error!);
    }

    private async ValueTask<RouteOutcome<TResult>> RouteAsync<TResult>(
        GatewayContext context,
        Func<GatewayContext, Deployment, CancellationToken, ValueTask<TResult>> call,
        Func<TResult, GatewayError?> errorOf,
        CancellationToken cancellationToken)
        where TResult : class
    {
        if (context.Route is not { } route)
        {
            // The model resolution stage answers 404 before the router; a pipeline without it gets the same.
            return new(null, GatewayError.ModelNotFound(context.RequestedModel));
        }

        var attempts = 0;
        GatewayError? lastError = null;
        List<Deployment>? skipped = null;
        List<FailedAttempt>? failures = null;
        // The model itself (-1), then its fallbacks in order.
        for (var m = -1; m < route.Fallbacks.Count; m++)
        {
            var model = m < 0 ? route : _routes.Find(route.Fallbacks[m]);
            if (model is null || (m >= 0 && model == route))
            {
                continue;
            }

            List<Deployment>? tried = null;
            List<Deployment>? misconfigured = null;
            for (var attempt = 0; attempt <= _retries; attempt++)
            {
                var untried = Untried(model, tried);
                if (untried.Count == 0)
                {
                    // Every deployment failed once. One that said "slow down" is not asked again at once, and
                    // there is no point waiting for deployments whose circuits just opened: go on to the
                    // fallbacks. Other failures are retried after a short, growing pause, except on deployments
                    // whose configuration the upstream refused: asking again cannot help.
                    untried = Untried(model, misconfigured);
                    if (lastError?.StatusCode == 429 || untried.Count == 0 || !AnyInRotation(untried))
                    {
                        break;
                    }

                    if (_backoff.Delay(attempt) is { Ticks: > 0 } pause)
                    {
                        await Task.Delay(pause, _timeProvider, cancellationToken);
                    }
                }

                var (deployment, trial) = m < 0 && tried is null && Preferred(context, untried) is { } preferred
                    ? (preferred, CircuitBreaker.NoTrial)
                    : Pick(model.Name, untried, ref skipped);
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
                context.Attempts = attempts;

                var callStarted = _timeProvider.GetTimestamp();
                TResult result;
                // Null unless a listener samples the request: then the upstream call carries this span's traceparent.
                using var attemptSpan = UpstreamAttemptSpan.Start(context, deployment, attempts);
                try
                {
                    result = await call(context, deployment, cancellationToken);
                }
                catch (Exception ex)
                {
                    // Cancelled by the client (or a bug): nothing learnt about the upstream, but a trial's slot must be freed.
                    deployment.Circuit.OnAbandoned(trial);
                    UpstreamAttemptSpan.Failed(attemptSpan, ex);
                    throw;
                }

                var error = errorOf(result);
                UpstreamAttemptSpan.Ended(attemptSpan, error);
                context.AttemptLog?.Add(new UpstreamAttempt(deployment.Id, attempts, _timeProvider.GetElapsedTime(context.StartTimestamp, callStarted), _timeProvider.GetElapsedTime(callStarted), error?.StatusCode ?? 200, error?.Code, error is null ? null : error.UpstreamMessage is { } said ? $"{error.Message} (upstream: {said})" : error.Message));
                var retryable = error is not null && IsRetryable(error);
                Record(deployment, trial, error, retryable, cancellationToken);
                if (error is not null && !cancellationToken.IsCancellationRequested)
                {
                    LogFailure(deployment, attempts, error, retryable);
                }

                if (!retryable || cancellationToken.IsCancellationRequested)
                {
                    context.Deployment = deployment;
                    context.UpstreamLatency = _timeProvider.GetElapsedTime(callStarted);
                    return new(result, null);
                }

                if (error!.Misconfigured)
                {
                    (misconfigured ??= []).Add(deployment);
                }

                (failures ??= []).Add(new(model.Name, deployment.Id, error));
                lastError = error;
            }
        }

        context.Attempts = attempts;
        if (lastError is null && skipped is not null)
        {
            return new(null, CircuitOpen(route.Name, skipped));
        }

        return new(null, failures is { Count: > 1 } ? EveryAttemptFailed(failures, lastError!) : lastError);
    }

    /// <summary>
    /// The last failure's status and code, with a message that lists every attempt: the last upstream alone
    /// does not tell a user why the model and each of its fallbacks failed.
    /// </summary>
    private static GatewayError EveryAttemptFailed(List<FailedAttempt> failures, GatewayError last)
    {
        var message = new StringBuilder("Every attempt failed (").Append(failures.Count).Append("):");
        for (var i = 0; i < failures.Count; i++)
        {
            var (model, deployment, error) = failures[i];
            message.Append(' ').Append(i + 1).Append(") ").Append(model).Append(" on ").Append(deployment).Append(": ").Append(error.Message);
        }

        return last with { Message = message.ToString() };
    }

    /// <summary>
    /// One line per failed attempt, naming provider, deployment and reason; what the upstream said is added
    /// here only (it never reaches the client). A refused configuration is an error someone has to fix;
    /// a failure another attempt may get past is a warning; the upstream refusing the request itself is
    /// the client's to fix and only informational.
    /// </summary>
    private void LogFailure(Deployment deployment, int attempt, GatewayError error, bool retryable)
    {
        if (error.BeforeUpstream)
        {
            return;
        }

        var reason = error.UpstreamMessage is { Length: > 0 } said && said != error.Message ? error.Message + " Upstream said: " + said : error.Message;
        if (error.Misconfigured)
        {
            Log.DeploymentMisconfigured(_logger, deployment.Provider.Name, deployment.Id, attempt, error.StatusCode, reason);
        }
        else if (retryable)
        {
            Log.AttemptFailed(_logger, deployment.Provider.Name, deployment.Id, attempt, error.StatusCode, reason);
        }
        else
        {
            Log.RequestRefused(_logger, deployment.Provider.Name, deployment.Id, error.StatusCode, reason);
        }
    }

    /// <summary>The deployment the request was admitted against (<see cref="GatewayContext.PreferredDeployment"/>), while its circuit is closed.</summary>
    private static Deployment? Preferred(GatewayContext context, IReadOnlyList<Deployment> untried) =>
        context.PreferredDeployment is { Circuit.IsClosed: true } preferred && untried.Contains(preferred) ? preferred : null;

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
    private static async ValueTask<ChatResult> FirstChunkArrivedAsync(ChatResult result, GatewayContext context, CancellationToken cancellationToken)
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
                    context.TimeToFirstToken = context.Elapsed;
                    return new ChatResult.Streaming(new ServedStream(held, chunks, context));
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

    private static IReadOnlyList<Deployment> Untried(ModelRoute model, List<Deployment>? tried) =>
        tried is null ? model.Deployments : [.. model.Deployments.Where(d => !tried.Contains(d))];

    /// <summary>Failures another deployment might not have: limits, overload, upstream errors and timeouts.</summary>
    private static bool IsRetryable(GatewayError error) => error.StatusCode is 408 or 429 or >= 500;

    private readonly record struct RouteOutcome<TResult>(TResult? Result, GatewayError? Error);

    private readonly record struct FailedAttempt(string Model, string Deployment, GatewayError Error);

    private static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Upstream {Provider} failed for deployment {Deployment} (attempt {Attempt}, status {Status}): {Reason}")]
        public static partial void AttemptFailed(ILogger logger, string provider, string deployment, int attempt, int status, string reason);

        [LoggerMessage(EventId = 104, Level = LogLevel.Error, Message = "Upstream {Provider} refused the configuration of deployment {Deployment} (attempt {Attempt}, status {Status}): {Reason} Not retried on this deployment until the configuration is fixed.")]
        public static partial void DeploymentMisconfigured(ILogger logger, string provider, string deployment, int attempt, int status, string reason);

        [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "Upstream {Provider} refused the request for deployment {Deployment} (status {Status}): {Reason}")]
        public static partial void RequestRefused(ILogger logger, string provider, string deployment, int status, string reason);

        [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Circuit for {Deployment} opened after {Failures} failures in a row (last {Status}); skipping it for {CooldownSeconds} s")]
        public static partial void CircuitOpened(ILogger logger, string deployment, int failures, double cooldownSeconds, int status);

        [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Circuit for {Deployment} re-opened: the trial request failed with {Status}; skipping it for another {CooldownSeconds} s")]
        public static partial void CircuitReopened(ILogger logger, string deployment, int status, double cooldownSeconds);

        [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Circuit for {Deployment} closed: the trial request succeeded")]
        public static partial void CircuitClosed(ILogger logger, string deployment);
    }
}
