namespace Switchboard.Caching;

/// <summary>Which entries <c>DELETE /admin/cache</c> removes: all, or those of one namespace and/or model.</summary>
/// <param name="Namespace">Only entries of this namespace (the partition and header namespace, as shown by the admin endpoint).</param>
/// <param name="Model">Only entries of this model (after routing).</param>
public sealed record CachePurge(string? Namespace = null, string? Model = null)
{
    /// <summary>Everything.</summary>
    public static CachePurge All { get; } = new();

    /// <summary>Whether an entry with these tags is to go.</summary>
    public bool Matches(string entryNamespace, string entryModel) =>
        (Namespace is null || string.Equals(Namespace, entryNamespace, StringComparison.Ordinal))
        && (Model is null || string.Equals(Model, entryModel, StringComparison.Ordinal));
}
