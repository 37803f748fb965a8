using Switchboard.Pipeline;

namespace Switchboard.Gateway.Pipeline;

/// <summary>
/// One step of the gateway's pipeline (auth, limits, validation, model resolution, cache, ...). A stage does one
/// job: it may read and change the <see cref="GatewayContext"/>, call <c>next</c> and look at or replace what
/// comes back (wrap a stream), or answer by itself without calling <c>next</c> (a 401, a 429, a cache hit).
/// Stages are singletons: per-request state lives on the context, never in fields.
/// </summary>
public interface IGatewayStage
{
    /// <summary>A short name for logs and for the list of stages shown at start-up.</summary>
    string Name { get; }

    /// <summary>
    /// The operations this stage serves; it is left out of the others' pipelines (no cost at all there).
    /// Read once, when the pipeline is built: a stage whose feature is switched off in configuration returns
    /// <see cref="GatewayOperations.None"/> and is not composed.
    /// </summary>
    GatewayOperations Operations { get; }

    /// <summary>Handles one request: returns <c>next(context, cancellationToken)</c>'s result, a changed one, or its own.</summary>
    ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken);
}
