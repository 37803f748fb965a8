using Switchboard.Gateway.Caching;
using Switchboard.Gateway.Pipeline;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Stages;

/// <summary>
/// Answers a chat request from the caches when it can: the exact cache first, the semantic cache (which embeds the
/// request) only after an exact miss. A hit goes back from here, plain or replayed as a stream, with
/// <see cref="GatewayContext.Cache"/> saying what it saved; a miss goes on to the router and leaves the plan for
/// <see cref="CacheStoreStage"/>. <c>Cache-Control: no-cache</c> skips the lookup (the answer is still stored),
/// <c>no-store</c> skips both. Composed only when <c>cache.exact</c> or <c>cache.semantic</c> is on.
/// </summary>
public sealed class CacheLookupStage(ResponseCache cache) : IGatewayStage
{
    /// <inheritdoc />
    public string Name => "cache-lookup";

    /// <inheritdoc />
    public GatewayOperations Operations => cache.Enabled ? GatewayOperations.Chat : GatewayOperations.None;

    /// <inheritdoc />
    public ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var plan = cache.Plan(context, out var error);
        if (error is not null)
        {
            return new ValueTask<GatewayResult>(context.Fail(error));
        }

        if (plan is null)
        {
            cache.Statistics.Bypass();
            return next(context, cancellationToken);
        }

        context.Items[CachePlan.ItemKey] = plan;
        if (!plan.Lookup)
        {
            cache.Statistics.Bypass();
            return next(context, cancellationToken);
        }

        return LookupAsync(context, plan, next, cancellationToken);
    }

    private async ValueTask<GatewayResult> LookupAsync(GatewayContext context, CachePlan plan, GatewayDelegate next, CancellationToken cancellationToken)
    {
        if (await cache.LookupAsync(plan, context, cancellationToken) is { } cached)
        {
            plan.Store = false;
            return ResponseCache.Serve(cached, context.ChatRequest);
        }

        return await next(context, cancellationToken);
    }
}
