using Switchboard.Gateway.Pipeline;

namespace Switchboard.Gateway.Limits;

/// <summary>The limits and budget of the virtual key a request was made with, from what the auth stage put on the context.</summary>
public interface IKeyLimitsSource
{
    /// <summary>The key's limits; null for the master key, an open gateway, or no auth at all.</summary>
    KeyLimits? Of(GatewayContext context);
}
