using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Errors;
using Switchboard.Gateway.Auth;

namespace Switchboard.Conversations.Http;

/// <summary>
/// Who may read and change conversations outside the pipeline (<c>GET/PUT/DELETE /context</c>) and list them
/// (<c>GET /conversations</c>, admin). <c>POST /chat</c> needs nothing here: its model call goes through the
/// pipeline, whose stages decide. Without keys configured the gateway is open on loopback, and so are these;
/// with a master key, any valid key may use a conversation and only the master key may list them all.
/// </summary>
internal sealed class ConversationAccess
{
    /// <summary>Null when the caller may read or change conversations; otherwise the error to answer with.</summary>
    public static async ValueTask<GatewayError?> CheckCallerAsync(HttpContext http)
    {
        if (http.RequestServices.GetService<KeyAuthenticator>() is not { Enabled: true } auth)
        {
            return null;
        }

        var result = await auth.AuthenticateAsync(KeyAuthenticator.ExtractKey(http.Request.Headers.Authorization, http.Request.Headers["api-key"]), http.RequestAborted);
        return result.Error;
    }

    /// <summary>Null when the caller may list every conversation (the master key when keys are configured).</summary>
    public static ValueTask<GatewayError?> CheckAdminAsync(HttpContext http)
    {
        if (http.RequestServices.GetService<KeyAuthenticator>() is not { Enabled: true } auth)
        {
            return ValueTask.FromResult<GatewayError?>(null);
        }

        var key = KeyAuthenticator.ExtractKey(http.Request.Headers.Authorization, http.Request.Headers["api-key"]);
        return ValueTask.FromResult(auth.IsMasterKey(key) ? null : AuthErrors.AdminOnly);
    }
}
