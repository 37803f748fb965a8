namespace Switchboard.Gateway.Caching;

/// <summary>The request's <c>Cache-Control</c> directives the caches honour.</summary>
internal static class CacheControl
{
    /// <summary>The request header.</summary>
    public const string Header = "cache-control";

    /// <summary>
    /// Reads <c>no-store</c> (neither look up nor store) and <c>no-cache</c> (do not answer from the cache, but store
    /// the fresh answer); other directives are ignored.
    /// </summary>
    public static (bool NoCache, bool NoStore) Parse(IReadOnlyDictionary<string, string> headers)
    {
        if (headers.Count == 0 || !headers.TryGetValue(Header, out var value) || value.Length == 0)
        {
            return (false, false);
        }

        bool noCache = false, noStore = false;
        foreach (var range in value.AsSpan().Split(','))
        {
            var directive = value.AsSpan()[range].Trim();
            noCache |= directive.Equals("no-cache", StringComparison.OrdinalIgnoreCase);
            noStore |= directive.Equals("no-store", StringComparison.OrdinalIgnoreCase);
        }

        return (noCache, noStore);
    }
}
