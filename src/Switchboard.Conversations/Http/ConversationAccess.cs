using Microsoft.AspNetCore.Http;
using Switchboard.Errors;

namespace Switchboard.Conversations.Http;

/// <summary>
/// Who may read and change conversations outside the pipeline (<c>GET/PUT/DELETE /context</c>) and list them
/// (<c>GET /conversations</c>, admin). <c>POST /chat</c> needs nothing here: its model call goes through the
/// pipeline, whose stages decide. Without keys configured the gateway is open on loopback, and so are these.
/// </summary>
internal sealed class ConversationAccess
{
    /// <summary>Null when the caller may read or change conversations; otherwise the error to answer with.</summary>
    public static ValueTask<GatewayError?> CheckCallerAsync(HttpContext http) => ValueTask.FromResult<GatewayError?>(null);

    /// <summary>Null when the caller may list every conversation (the master key when keys are configured).</summary>
    public static ValueTask<GatewayError?> CheckAdminAsync(HttpContext http) => ValueTask.FromResult<GatewayError?>(null);
}
