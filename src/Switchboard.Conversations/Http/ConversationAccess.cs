using Microsoft.AspNetCore.Http;
using Switchboard.Conversations.Configuration;
using Switchboard.Conversations.Service;
using Switchboard.Errors;
using Switchboard.Gateway.Auth;
using Switchboard.Identity;

namespace Switchboard.Conversations.Http;

/// <summary>
/// Who may use conversations, and whose: with a master key every endpoint needs a key, checked here before anything is
/// read (for <c>POST /chat</c> too: its model calls then carry the verified caller, so the pipeline's auth stage does
/// not look the key up again). A virtual key sees the conversations of its partition (<c>conversations.partition</c>:
/// its key's or its team's, or the shared one); the master key works in the shared partition and may name any other;
/// <c>GET /conversations</c> takes the master key only, as <c>/admin</c>. Without a master key the gateway is open (on
/// loopback) and everything is in the shared partition.
/// </summary>
internal sealed class ConversationAccess(KeyAuthenticator authenticator, ConversationsOptions options)
{
    private static readonly ConversationCaller Open = new(null, IsAdmin: true, ConversationPartitions.Shared, null);

    /// <summary>The caller, or the error to answer with (401 for a missing or invalid key).</summary>
    public ValueTask<ConversationCaller> AuthenticateAsync(HttpContext http)
    {
        if (!authenticator.Enabled)
        {
            return ValueTask.FromResult(Open);
        }

        var pending = authenticator.AuthenticateAsync(KeyOf(http), http.RequestAborted);
        return pending.IsCompletedSuccessfully ? ValueTask.FromResult(ToCaller(pending.Result)) : AwaitAsync(pending);
    }

    /// <summary>Null when the caller may list every conversation (the master key when keys are configured).</summary>
    public ValueTask<GatewayError?> CheckAdminAsync(HttpContext http) =>
        ValueTask.FromResult(!authenticator.Enabled || authenticator.IsMasterKey(KeyOf(http)) ? null : AuthErrors.AdminOnly);

    /// <summary>
    /// The partition a request works in: the caller's own, or the one it names (<c>partition</c>), which only an admin
    /// may make another than its own. A refusal does not depend on what is stored, so it tells nothing about others.
    /// </summary>
    public static (string? Partition, GatewayError? Error) Resolve(ConversationCaller caller, string? requested)
    {
        if (requested is null || requested == caller.Partition)
        {
            return (caller.Partition, null);
        }

        if (!ConversationPartitions.IsWellFormed(requested))
        {
            return (null, ConversationErrors.PartitionInvalid);
        }

        return caller.IsAdmin ? (requested, null) : (null, ConversationErrors.PartitionAdminOnly);
    }

    private async ValueTask<ConversationCaller> AwaitAsync(ValueTask<AuthResult> pending) => ToCaller(await pending);

    private ConversationCaller ToCaller(AuthResult result)
    {
        if (result.Error is { } error)
        {
            return new ConversationCaller(null, IsAdmin: false, ConversationPartitions.Shared, error);
        }

        var identity = result.Identity!;
        return new ConversationCaller(identity, identity.IsMaster, PartitionOf(identity), null);
    }

    private string PartitionOf(CallerIdentity identity)
    {
        if (identity.IsMaster || options.Partition == ConversationPartitions.Global)
        {
            return ConversationPartitions.Shared;
        }

        // A key without a team keeps its conversations to itself, as the cache's team partition does.
        return options.Partition == ConversationPartitions.Team && identity.Team is { Length: > 0 } team
            ? ConversationPartitions.TeamPrefix + team
            : ConversationPartitions.KeyPrefix + identity.KeyId;
    }

    private static string? KeyOf(HttpContext http) =>
        KeyAuthenticator.ExtractKey(http.Request.Headers.Authorization, http.Request.Headers["api-key"]);
}
