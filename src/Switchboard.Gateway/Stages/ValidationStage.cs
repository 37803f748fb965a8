using Switchboard.Gateway.Pipeline;
using Switchboard.Pipeline;
using Switchboard.Validation;

namespace Switchboard.Gateway.Stages;

/// <summary>Answers a request that breaks the OpenAI API's rules with a 400 naming the parameter, before any upstream sees it.</summary>
public sealed class ValidationStage : IGatewayStage
{
    /// <inheritdoc />
    public string Name => "validation";

    /// <inheritdoc />
    public GatewayOperations Operations => GatewayOperations.Inference;

    /// <inheritdoc />
    public ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var error = context.Operation == GatewayOperations.Chat
            ? ChatRequestValidator.Validate(context.ChatRequest)
            : EmbeddingRequestValidator.Validate(context.EmbeddingRequest);
        return error is null ? next(context, cancellationToken) : new ValueTask<GatewayResult>(context.Fail(error));
    }
}
