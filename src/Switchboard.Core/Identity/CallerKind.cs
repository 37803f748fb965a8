namespace Switchboard.Identity;

/// <summary>How a caller got in.</summary>
public enum CallerKind
{
    /// <summary>No auth is configured (loopback, or <c>auth.allow_anonymous: true</c>).</summary>
    Anonymous,

    /// <summary>The caller presented the master key.</summary>
    Master,

    /// <summary>The caller presented a virtual key from the database.</summary>
    VirtualKey,
}
