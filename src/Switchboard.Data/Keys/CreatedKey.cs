namespace Switchboard.Data.Keys;

/// <summary>A key just created: <see cref="Secret"/> is shown to the admin once and exists nowhere else.</summary>
public sealed record CreatedKey(KeyInfo Info, string Secret);
