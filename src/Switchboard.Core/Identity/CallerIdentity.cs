namespace Switchboard.Identity;

/// <summary>
/// Who is calling: set by the auth stage on every request's context, read by every later stage (limits,
/// budgets, usage records). <see cref="EndUser"/> is the person inside a key, from the request's OpenAI
/// <c>user</c> field or the <c>x-switchboard-user</c> header.
/// </summary>
public sealed record CallerIdentity
{
    /// <summary>The caller of a gateway with no auth configured.</summary>
    public static CallerIdentity Anonymous { get; } = new() { Kind = CallerKind.Anonymous };

    /// <summary>The caller that presented the master key.</summary>
    public static CallerIdentity Master { get; } = new() { Kind = CallerKind.Master };

    public required CallerKind Kind { get; init; }

    /// <summary>The verified virtual key; null for <see cref="CallerKind.Anonymous"/> and <see cref="CallerKind.Master"/>.</summary>
    public VirtualKey? Key { get; init; }

    /// <summary>The end user named by the request (OpenAI <c>user</c> field or <c>x-switchboard-user</c>); null when none.</summary>
    public string? EndUser { get; init; }

    /// <summary>The key's id, null without a virtual key.</summary>
    public string? KeyId => Key?.Id;

    /// <summary>The key owner's user, null without one.</summary>
    public string? User => Key?.User;

    /// <summary>The key owner's team, null without one.</summary>
    public string? Team => Key?.Team;

    /// <summary>This identity with <see cref="EndUser"/> set (the same instance when it is unchanged).</summary>
    public CallerIdentity WithEndUser(string? endUser) =>
        string.Equals(endUser, EndUser, StringComparison.Ordinal) ? this : this with { EndUser = endUser };
}
