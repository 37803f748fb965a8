using Switchboard.Errors;
using Switchboard.Identity;

namespace Switchboard.Gateway.Auth;

/// <summary>Who the caller is, or why they may not call.</summary>
public readonly record struct AuthResult(CallerIdentity? Identity, GatewayError? Error)
{
    public static AuthResult Allowed(CallerIdentity identity) => new(identity, null);

    public static AuthResult Denied(GatewayError error) => new(null, error);
}
