using Switchboard.Gateway.Caching;
using Switchboard.Gateway.Pipeline;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Stages;

/// <summary>
/// Stores, on the way back, the answer the stages below produced (already cleaned) for a request the lookup stage
/// planned to keep: a whole completion before it is returned, a stream once its last chunk has come and before the
/// client reads its end. Failures, unfinished streams and answers cut by <c>length</c> (unless
/// <c>cache.store_truncated</c>) are not stored. Streams with <c>logprobs</c> are not stored either: the answer they
/// add up to does not keep them.
/// </summary>
public sealed class CacheStoreStage(ResponseCache cache) : IGatewayStage
{
    /// <inheritdoc />
    public string Name => "cache-store";

    /// <inheritdoc />
    public GatewayOperations Operations => cache.Enabled ? GatewayOperations.Chat : GatewayOperations.None;

    /// <inheritdoc />
    public ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        return context.TryGetItem(CachePlan.ItemKey, out var item) && item is CachePlan { Store: true } plan
            ? StoreAsync(context, plan, next, cancellationToken)
            : next(context, cancellationToken);
    }

    private async ValueTask<GatewayResult> StoreAsync(GatewayContext context, CachePlan plan, GatewayDelegate next, CancellationToken cancellationToken)
    {
        var result = await next(context, cancellationToken);
        switch (result)
        {
            case ChatResult.Completed completed:
                await cache.StoreAsync(plan, context, completed.Response, completed.Json, cancellationToken);
                return result;
            case ChatResult.Streaming streaming when context.ChatRequest.Logprobs != true:
                return new ChatResult.Streaming(new StoringStream(streaming.Chunks, cache, plan, context));
            default:
                cache.Statistics.NotStoredAnswer();
                return result;
        }
    }
}
