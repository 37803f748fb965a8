namespace Switchboard.Identity;

/// <summary>
/// Who is calling: set by the auth stage on the request's context (<c>GatewayContext.Caller</c>) and read by every
/// later stage (limits, budgets, usage records). Immutable: the auth stage keeps one instance per key and hands
/// it to every request made with that key. The end user inside a key is not here but on the context
/// (<c>GatewayContext.EndUser</c>), since it changes per request.
/// </summary>
public sealed record CallerIdentity
{
    /// <summary>The caller that presented the master key.</summary>
    public static CallerIdentity Master { get; } = new() { Kind = CallerKind.Master };

    public required CallerKind Kind { get; init; }

    /// <summary>The verified virtual key; null for the master key.</summary>
    public VirtualKey? Key { get; init; }

    /// <summary>True for the master key: every model, no limits.</summary>
    public bool IsMaster => Kind == CallerKind.Master;

    /// <summary>The key's id in the database (never the key itself); null for the master key.</summary>
    public string? KeyId => Key?.Id;

    /// <summary>The key's short prefix shown in listings (<c>sk-sb-AbC1dE2f</c>).</summary>
    public string? KeyPrefix => Key?.Prefix;

    /// <summary>The key's name, as given at creation.</summary>
    public string? KeyName => Key?.Name;

    /// <summary>The user who owns the key.</summary>
    public string? User => Key?.User;

    /// <summary>The team that owns the key.</summary>
    public string? Team => Key?.Team;

    /// <summary>The identity of a caller that presented <paramref name="key"/>.</summary>
    public static CallerIdentity Of(VirtualKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new CallerIdentity { Kind = CallerKind.VirtualKey, Key = key };
    }
}
