using Switchboard.Errors;
using Switchboard.Gateway.Pipeline;
using Switchboard.Gateway.Routing;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Stages;

/// <summary>
/// Resolves the requested model (exact name or alias, then the first matching routing rule) to one of the
/// configured models and puts it on <see cref="GatewayContext.Route"/>, so every later stage (allowed models,
/// limits per model, cost, cache scope) knows the model before the router picks a deployment. A name nothing
/// matches is a 404 <c>model_not_found</c>.
/// </summary>
public sealed class ModelResolutionStage(RouteTable routes) : IGatewayStage
{
    /// <inheritdoc />
    public string Name => "model-resolution";

    /// <inheritdoc />
    public GatewayOperations Operations => GatewayOperations.Inference;

    /// <inheritdoc />
    public ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        context.Route = routes.Resolve(context.RequestedModel);
        return context.Route is null
            ? new ValueTask<GatewayResult>(context.Fail(GatewayError.ModelNotFound(context.RequestedModel)))
            : next(context, cancellationToken);
    }
}
