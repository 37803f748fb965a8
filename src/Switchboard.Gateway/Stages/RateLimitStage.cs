using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Switchboard.Gateway.Configuration;
using Switchboard.Gateway.Limits;
using Switchboard.Gateway.Pipeline;
using Switchboard.Gateway.Routing;
using Switchboard.Limits;
using Switchboard.OpenAI;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Stages;

/// <summary>
/// Rate limits and budgets. On the way in: admits the request against every limit that applies (key, end user,
/// model, one of the model's deployments) and the key's budget, before any upstream is asked; a refusal is a
/// 429 (<c>rate_limit_exceeded</c>, <c>insufficient_quota</c>), or a 503 while the shared counters are out of
/// reach and the limiter fails closed. Every answer carries the <c>x-ratelimit-*</c> headers. Once the request
/// is over: corrects the tokens taken to the real usage and adds the cost to the key's spend. Stands after
/// model resolution: per-model and per-deployment limits need the route.
/// </summary>
public sealed class RateLimitStage : IGatewayStage
{
    private readonly ILimitStore _store;
    private readonly LimitPlanner _planner;
    private readonly IKeyLimitsSource _keys;
    private readonly ILoadBalancingPolicy _policy;
    private readonly Func<GatewayContext, object?, ValueTask> _settle;
    private readonly Func<ChatCompletionRequest, ChatCompletionResponse, TokenUsage> _countMissingUsage;

    public RateLimitStage(ILimitStore store, LimitPlanner planner, IKeyLimitsSource keys, IEnumerable<ILoadBalancingPolicy> policies, IOptions<SwitchboardOptions> options)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(planner);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _planner = planner;
        _keys = keys;
        _policy = policies.First(p => string.Equals(p.Name, options.Value.Routing.LoadBalancing, StringComparison.OrdinalIgnoreCase));
        // One delegate for the stage's life, the admission as its state: nothing allocated per request to settle it.
        _settle = (context, state) => Settle(context, (Admission)state!);
        _countMissingUsage = (request, response) => new TokenUsage((int)planner.CountPrompt(request), (int)planner.CountCompletion(response), IsEstimated: true);
    }

    public string Name => "rate-limit";

    public GatewayOperations Operations => GatewayOperations.Inference;

    public ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.Route is not { } route)
        {
            return next(context, cancellationToken);
        }

        var request = _planner.Plan(_keys.Of(context), context.EndUser, route.Name, Alternatives(route), (Planner: _planner, Context: context), static state => Estimate(state.Planner, state.Context));
        if (request is null)
        {
            return next(context, cancellationToken);
        }

        // In memory the answer is there at once: the stage then adds no wait of its own around the rest of the pipeline.
        var pending = _store.AdmitAsync(request, cancellationToken);
        return pending.IsCompletedSuccessfully
            ? Continue(context, next, request, route, pending.Result, cancellationToken)
            : AdmitThenContinueAsync(context, next, request, route, pending, cancellationToken);
    }

    // Pooled state machines: with Redis the admission is a round trip on every request.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<GatewayResult> AdmitThenContinueAsync(GatewayContext context, GatewayDelegate next, AdmissionRequest request, ModelRoute route, ValueTask<Admission> pending, CancellationToken cancellationToken) =>
        await Continue(context, next, request, route, await pending, cancellationToken);

    private ValueTask<GatewayResult> Continue(GatewayContext context, GatewayDelegate next, AdmissionRequest request, ModelRoute route, Admission admission, CancellationToken cancellationToken)
    {
        // The x-ratelimit-* headers are written from this with the answer's other headers.
        context.RateLimit = admission;
        if (LimitErrors.From(admission) is { } error)
        {
            return new ValueTask<GatewayResult>(context.Fail(error));
        }

        if (admission.Alternative >= 0)
        {
            context.PreferredDeployment = DeploymentOf(route, request.Alternatives[admission.Alternative]);
        }

        context.OnCompleted(_settle, admission);
        // The correction and the cost of a stream need its real token counts: the upstream's usage event. An upstream
        // that reports no usage for a whole answer has what it answered counted, so the correction has numbers.
        context.RequireUsage = true;
        context.CountMissingUsage = _countMissingUsage;
        return next(context, cancellationToken);
    }

    /// <summary>
    /// The model's deployments as alternatives, when some have a capacity of their own: the policy's pick among
    /// those in rotation first (so balancing holds while there is room), then the others in configuration order.
    /// </summary>
    private IReadOnlyList<RateLimit> Alternatives(ModelRoute route)
    {
        var deployments = route.Deployments;
        if (!_planner.HasDeploymentLimits || deployments.Count == 0)
        {
            return [];
        }

        var limits = new RateLimit[deployments.Count];
        var any = false;
        for (var i = 0; i < deployments.Count; i++)
        {
            limits[i] = _planner.DeploymentLimit(deployments[i].Id);
            any |= limits[i].IsActive;
        }

        if (!any)
        {
            return [];
        }

        var closed = deployments.Where(static d => d.Circuit.IsClosed).ToList();
        var first = closed.Count == 0 ? 0 : IndexOf(deployments, closed.Count == 1 ? closed[0] : _policy.Pick(route.Name, closed));
        if (first > 0)
        {
            var picked = limits[first];
            Array.Copy(limits, 0, limits, 1, first);
            limits[0] = picked;
        }

        return limits;
    }

    private static int IndexOf(IReadOnlyList<Deployment> deployments, Deployment deployment)
    {
        for (var i = 0; i < deployments.Count; i++)
        {
            if (ReferenceEquals(deployments[i], deployment))
            {
                return i;
            }
        }

        return 0;
    }

    private static Deployment? DeploymentOf(ModelRoute route, RateLimit limit)
    {
        foreach (var deployment in route.Deployments)
        {
            if (string.Equals(deployment.Id, limit.Name, StringComparison.Ordinal))
            {
                return deployment;
            }
        }

        return null;
    }

    private static long Estimate(LimitPlanner planner, GatewayContext context) => context.Operation == GatewayOperations.Chat
        ? planner.EstimateChat(context.ChatRequest)
        : planner.EstimateEmbeddings(context.EmbeddingRequest);

    /// <summary>Settles the admission once the request is over, with the real usage and cost from the context.</summary>
    private ValueTask Settle(GatewayContext context, Admission admission)
    {
        if (context.Deployment is not { } deployment)
        {
            // No upstream answered (every attempt failed, or the request never got that far): nothing was used.
            _store.Settle(admission, 0, 0);
            return ValueTask.CompletedTask;
        }

        if (context.Usage is not { } usage)
        {
            // A stream whose upstream sent no usage: the estimate stands, and it cost what its prompt cost.
            var estimate = admission.Request?.EstimatedTokens ?? 0;
            _store.Settle(admission, estimate, 0);
            return ValueTask.CompletedTask;
        }

        _store.Settle(admission, usage.TotalTokens, deployment.Prices.CostNanos(usage.PromptTokens, usage.CompletionTokens));
        return ValueTask.CompletedTask;
    }
}
