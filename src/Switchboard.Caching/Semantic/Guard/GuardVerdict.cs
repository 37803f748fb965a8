namespace Switchboard.Caching.Semantic.Guard;

/// <summary>Whether two texts may share an answer, and if not, what differs between them.</summary>
/// <param name="Passed">True when the guard found no difference that embeddings are known to miss.</param>
/// <param name="Reason">Why the guard refused: <c>number</c>, <c>entity</c>, <c>negation</c>, <c>opposite</c>, <c>order</c> or <c>substitution</c>; null when passed.</param>
/// <param name="Detail">The words that made the difference, for logs and tests.</param>
public readonly record struct GuardVerdict(bool Passed, string? Reason = null, string? Detail = null)
{
    /// <summary>No difference found.</summary>
    public static GuardVerdict Pass { get; } = new(true);

    internal static GuardVerdict Refuse(string reason, string detail) => new(false, reason, detail);
}
