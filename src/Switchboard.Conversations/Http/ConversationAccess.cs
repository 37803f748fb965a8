using Microsoft.AspNetCore.Http;
using Switchboard.Errors;
using Switchboard.Gateway.Auth;

namespace Switchboard.Conversations.Http;

/// <summary>
/// Who may read and change conversations outside the pipeline (<c>GET/PUT/DELETE /context</c>: the master key or
/// any valid virtual key) and list them (<c>GET /conversations</c>: the master key only, as <c>/admin</c>).
/// <c>POST /chat</c> needs nothing here: its model call carries the client's headers through the pipeline, whose
/// auth stage answers 401 before anything is stored. Without a master key the gateway is open (on loopback), and
/// so are these.
/// </summary>
internal sealed class ConversationAccess(KeyAuthenticator authenticator)
{
    /// <summary>Null when the caller may read or change conversations; otherwise the error to answer with.</summary>
    public async ValueTask<GatewayError?> CheckCallerAsync(HttpContext http)
    {
        if (!authenticator.Enabled)
        {
            return null;
        }

        var result = await authenticator.AuthenticateAsync(KeyOf(http), http.RequestAborted);
        return result.Error;
    }

    /// <summary>Null when the caller may list every conversation (the master key when keys are configured).</summary>
    public ValueTask<GatewayError?> CheckAdminAsync(HttpContext http) =>
        ValueTask.FromResult(!authenticator.Enabled || authenticator.IsMasterKey(KeyOf(http)) ? null : AuthErrors.AdminOnly);

    private static string? KeyOf(HttpContext http) =>
        KeyAuthenticator.ExtractKey(http.Request.Headers.Authorization, http.Request.Headers["api-key"]);
}
