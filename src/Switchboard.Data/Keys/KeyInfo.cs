using Switchboard.Identity;

namespace Switchboard.Data.Keys;

/// <summary>A key as listed for an admin: everything but the key itself.</summary>
public sealed record KeyInfo
{
    public required VirtualKey Key { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? LastUsedAt { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }
}
