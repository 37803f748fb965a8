namespace Switchboard.Identity;

/// <summary>How a caller got in. A gateway without auth has no caller at all (<c>GatewayContext.Caller</c> is null).</summary>
public enum CallerKind
{
    /// <summary>The caller presented the master key.</summary>
    Master,

    /// <summary>The caller presented a virtual key from the database.</summary>
    VirtualKey,
}
