namespace Switchboard.Caching.Configuration;

/// <summary>The values of <c>cache.partition</c>.</summary>
public static class CachePartitions
{
    public const string Key = "key";
    public const string Team = "team";
    public const string Global = "global";
}
