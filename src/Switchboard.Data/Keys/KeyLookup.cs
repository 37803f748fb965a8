using Switchboard.Identity;

namespace Switchboard.Data.Keys;

/// <summary>What the database says about a presented key's hash: the key, its stored hash, and whether it still works.</summary>
public sealed record KeyLookup(VirtualKey Key, byte[] StoredHash, DateTimeOffset? RevokedAt);
