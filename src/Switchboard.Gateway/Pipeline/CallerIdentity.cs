namespace Switchboard.Gateway.Pipeline;

/// <summary>
/// Who is calling, as the auth stage established it from the virtual key. Immutable, so the auth stage can
/// keep one instance per key and hand it to every request made with that key.
/// </summary>
public sealed record CallerIdentity
{
    /// <summary>The virtual key's id in the database (never the key itself).</summary>
    public required string KeyId { get; init; }

    /// <summary>The key's short prefix shown in listings (<c>sk-sb-abc1…</c>).</summary>
    public string? KeyPrefix { get; init; }

    /// <summary>The key's name, as given at creation.</summary>
    public string? KeyName { get; init; }

    /// <summary>The user who owns the key.</summary>
    public string? User { get; init; }

    /// <summary>The team that owns the key.</summary>
    public string? Team { get; init; }

    /// <summary>True for the master key: every model, no limits.</summary>
    public bool IsMaster { get; init; }
}
