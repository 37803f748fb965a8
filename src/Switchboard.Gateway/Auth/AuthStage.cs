using Switchboard.Identity;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Auth;

/// <summary>
/// The first stage: who is calling. Puts a <see cref="CallerIdentity"/> on the context for every later stage
/// (with the end user from the request's <c>user</c> field or <c>x-switchboard-user</c>), or answers 401 (no,
/// unknown, revoked or expired key) or 403 (the key may not use the requested model).
/// </summary>
public sealed class AuthStage(KeyAuthenticator authenticator) : IChatStage
{
    /// <summary>The <see cref="ChatContext.Items"/> entry holding the <see cref="CallerIdentity"/>.</summary>
    public const string IdentityItem = "switchboard.identity";

    public const string EndUserHeader = "x-switchboard-user";

    public string Name => "auth";

    /// <summary>The caller of <paramref name="context"/>, as the auth stage found it (anonymous when it did not run).</summary>
    public static CallerIdentity IdentityOf(ChatContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(IdentityItem, out var value) && value is CallerIdentity identity ? identity : CallerIdentity.Anonymous;
    }

    public ValueTask<ChatResult> InvokeAsync(ChatContext context, ChatStageDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var headers = context.RequestHeaders;
        var key = KeyAuthenticator.ExtractKey(headers.GetValueOrDefault("authorization"), headers.GetValueOrDefault("api-key"));
        var pending = authenticator.AuthenticateAsync(key, cancellationToken);
        return pending.IsCompletedSuccessfully
            ? Continue(context, pending.Result, next, cancellationToken)
            : AwaitThenContinueAsync(context, pending, next, cancellationToken);
    }

    private async ValueTask<ChatResult> AwaitThenContinueAsync(ChatContext context, ValueTask<AuthResult> pending, ChatStageDelegate next, CancellationToken cancellationToken) =>
        await Continue(context, await pending, next, cancellationToken);

    private ValueTask<ChatResult> Continue(ChatContext context, AuthResult result, ChatStageDelegate next, CancellationToken cancellationToken)
    {
        if (result.Error is { } error)
        {
            return ValueTask.FromResult(ChatResult.From(error));
        }

        var endUser = context.Request.User is { Length: > 0 } user ? user : context.RequestHeaders.GetValueOrDefault(EndUserHeader);
        var identity = result.Identity!.WithEndUser(endUser is { Length: > 0 } ? endUser : null);
        if (!authenticator.IsModelAllowed(identity, context.RequestedModel))
        {
            return ValueTask.FromResult(ChatResult.From(AuthErrors.ModelForbidden(context.RequestedModel)));
        }

        context.Items[IdentityItem] = identity;
        return next(context, cancellationToken);
    }
}
