namespace Switchboard.Data.Keys;

/// <summary>The result of <see cref="KeyStore.RevokeAsync"/>.</summary>
public enum RevokeOutcome
{
    Revoked,
    AlreadyRevoked,
    NotFound,

    /// <summary>The prefix names more than one key; give the id.</summary>
    Ambiguous,
}
