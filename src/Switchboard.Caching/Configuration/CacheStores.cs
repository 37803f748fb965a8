namespace Switchboard.Caching.Configuration;

/// <summary>The values of <c>cache.exact.store</c> and <c>cache.semantic.store</c>.</summary>
public static class CacheStores
{
    /// <summary>Redis when <c>redis:</c> is configured; otherwise memory (exact) or the database (semantic).</summary>
    public const string Auto = "auto";
    public const string Memory = "memory";
    public const string Redis = "redis";
    public const string Database = "database";
}
