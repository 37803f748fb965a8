using Switchboard.Gateway.Routing;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Pipeline;

/// <summary>The step after the last stage: the router for chat and embeddings, the model catalog for listings.</summary>
public sealed class GatewayTerminal(Router router, ModelCatalog catalog)
{
    /// <summary>Answers the request; the pipeline's <see cref="GatewayDelegate"/> at the end of every chain.</summary>
    public ValueTask<GatewayResult> InvokeAsync(GatewayContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Operation == GatewayOperations.Models
            ? new ValueTask<GatewayResult>(catalog.Answer(context))
            : router.SendAsync(context, cancellationToken);
    }
}
