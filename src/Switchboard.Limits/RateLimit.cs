namespace Switchboard.Limits;

/// <summary>
/// One limit that applies to a request: requests and tokens per minute for one <see cref="LimitScope"/> and
/// name. Zero (or less) in a dimension means that dimension is not limited.
/// </summary>
/// <param name="Scope">What is counted.</param>
/// <param name="Name">Whose counter: a key id, <c>key/user</c>, a model name or a deployment id.</param>
/// <param name="RequestsPerMinute">RPM; 0 for no request limit.</param>
/// <param name="TokensPerMinute">TPM (prompt and completion tokens together); 0 for no token limit.</param>
public readonly record struct RateLimit(LimitScope Scope, string Name, long RequestsPerMinute, long TokensPerMinute)
{
    /// <summary>True when the limit counts anything at all.</summary>
    public bool IsActive => RequestsPerMinute > 0 || TokensPerMinute > 0;
}
