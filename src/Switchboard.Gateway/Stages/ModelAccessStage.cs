using Microsoft.Extensions.Options;
using Switchboard.Gateway.Auth;
using Switchboard.Gateway.Pipeline;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Stages;

/// <summary>
/// The second half of auth, after model resolution: a key limited to some models (globs) gets 403 for any other.
/// The check is on the model the request resolved to (aliases and routing rules applied), which is what would
/// be called and paid for, not on the name the client wrote.
/// </summary>
public sealed class ModelAccessStage(KeyAuthenticator authenticator, IOptions<AuthOptions> options) : IGatewayStage
{
    /// <inheritdoc />
    public string Name => "model-access";

    /// <inheritdoc />
    public GatewayOperations Operations => options.Value.Enabled ? GatewayOperations.Inference : GatewayOperations.None;

    /// <inheritdoc />
    public ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.Route is { } route && !authenticator.IsModelAllowed(context.Caller, route.Name))
        {
            return new ValueTask<GatewayResult>(context.Fail(AuthErrors.ModelForbidden(context.RequestedModel)));
        }

        return next(context, cancellationToken);
    }
}
