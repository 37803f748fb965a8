using Switchboard.Gateway.Stages;

namespace Switchboard.Gateway.Pipeline;

/// <summary>
/// THE ORDER OF THE GATEWAY'S STAGES: the one place it is decided. A request meets the stages top to bottom on
/// its way in (→), then the router, and the answer passes them bottom to top on its way back (←). A stage that
/// answers by itself (a 401, a 429, a cache hit) sends its answer back up from where it stands: the stages
/// below it never see the request, those above see the answer. So the stages that must see every answer
/// (usage) stand first, and those that act on what an upstream said (cleaning, cache store) stand last.
/// Each stage declares the operations it serves (chat, embeddings, models) and is left out of the others.
/// </summary>
/// <remarks>
/// Adding a stage: one class implementing <see cref="IGatewayStage"/> (in <c>Stages/</c>) and one line here.
/// The commented lines are the places reserved for the stages being built (see docs/pipeline.md).
/// </remarks>
public static class GatewayPipelineOrder
{
    /// <summary>Adds the gateway's stages in their order.</summary>
    public static GatewayPipelineBuilder UseGatewayStages(this GatewayPipelineBuilder pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return pipeline

            // ← telemetry: the request's span (parent of the stage and upstream-attempt spans) and its metrics,
            //   finished on completion. First of all, so 401s, 429s and cache hits are measured and traced too.
            //   Not composed when telemetry is off.
            .Use<TelemetryStage>()

            // ← request log: the dashboard's recent requests and live log, and the per-request JSON log line;
            //   after telemetry so the trace id is the request span's. Not composed when both are off.
            .Use<RequestLogStage>()

            // ← usage record (issue 9): registers GatewayContext.OnCompleted and writes one row per request once the
            //   answer (a stream: its last chunk) went out. First, so it records 401s, 429s and cache hits too.
            .Use<UsageRecordStage>()

            // → auth (issue 9): master or virtual key → GatewayContext.Caller; 401. (403 is ModelAccessStage's, below.)
            .Use<AuthStage>()

            // → 400 for a request that breaks the OpenAI API's rules.
            .Use<ValidationStage>()

            // → alias, routing rules and model lookup → GatewayContext.Route; 404 model_not_found.
            .Use<ModelResolutionStage>()

            // → 403 when the caller's key may not use the model the request resolved to (issue 9).
            .Use<ModelAccessStage>()

            // → rate limits and budget (issue 9): 429 rate_limit_exceeded / insufficient_quota before any upstream
            //   call, x-ratelimit-* on every answer; ← corrects the counters with the real usage and adds the cost
            //   (GatewayContext.OnCompleted). After model resolution: per-model and per-deployment limits need the route.
            .Use<RateLimitStage>()

            // → prompt compression: replaces GatewayContext.ChatRequest (the client's bytes are then dropped).
            .Use<CompressionStage>()

            // → cache lookup: exact, then (after an exact miss) semantic; a hit answers here (GatewayContext.Cache =
            //   hit/semantic, plain or replayed as a stream), a miss goes on. After compression: the key is what is sent.
            .Use<CacheLookupStage>()

            // ← cache store: stores the answer the stages below produced (already cleaned), if complete.
            .Use<CacheStoreStage>()

            // ← response cleaning: rewrites completions and streams (ChatStreams.Map) before anyone keeps them.
            .Use<ResponseCleaningStage>()

            ; // then the router (retries, fallbacks, circuit breakers) and the provider, or the model catalog.
    }
}
