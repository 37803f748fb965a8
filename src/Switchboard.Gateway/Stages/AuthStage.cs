using Microsoft.Extensions.Options;
using Switchboard.Gateway.Auth;
using Switchboard.Gateway.Pipeline;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Stages;

/// <summary>
/// Who is calling: the master key or a virtual key (<c>Authorization: Bearer</c> or <c>api-key</c>) becomes
/// <see cref="GatewayContext.Caller"/>; no key, or one that is unknown, revoked or expired, is answered 401 with
/// the same words. Not composed at all when no master key is configured (the gateway is open on loopback). A context
/// that arrives with a caller already set (an in-process call the gateway makes for itself) is let through as it is.
/// </summary>
public sealed class AuthStage(KeyAuthenticator authenticator, IOptions<AuthOptions> options) : IGatewayStage
{
    /// <inheritdoc />
    public string Name => "auth";

    /// <inheritdoc />
    public GatewayOperations Operations => options.Value.Enabled ? GatewayOperations.All : GatewayOperations.None;

    /// <inheritdoc />
    public ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.Caller is not null)
        {
            // Set in process by the gateway itself (the semantic cache's routed embedder calls as the master): an HTTP
            // request's context starts without a caller, so only code inside the gateway can arrive here with one.
            return next(context, cancellationToken);
        }

        var headers = context.RequestHeaders;
        var key = KeyAuthenticator.ExtractKey(headers.GetValueOrDefault("authorization"), headers.GetValueOrDefault("api-key"));
        var pending = authenticator.AuthenticateAsync(key, cancellationToken);
        return pending.IsCompletedSuccessfully
            ? Continue(context, pending.Result, next, cancellationToken)
            : AwaitThenContinueAsync(context, pending, next, cancellationToken);
    }

    private static async ValueTask<GatewayResult> AwaitThenContinueAsync(GatewayContext context, ValueTask<AuthResult> pending, GatewayDelegate next, CancellationToken cancellationToken) =>
        await Continue(context, await pending, next, cancellationToken);

    private static ValueTask<GatewayResult> Continue(GatewayContext context, AuthResult result, GatewayDelegate next, CancellationToken cancellationToken)
    {
        if (result.Error is { } error)
        {
            return new ValueTask<GatewayResult>(context.Fail(error));
        }

        context.Caller = result.Identity;
        return next(context, cancellationToken);
    }
}
