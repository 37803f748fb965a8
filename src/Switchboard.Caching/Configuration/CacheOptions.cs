using Microsoft.Extensions.Configuration;

namespace Switchboard.Caching.Configuration;

/// <summary><c>cache:</c> exact and semantic response caching.</summary>
public sealed class CacheOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "cache";

    /// <summary><c>cache.exact</c>: <c>true</c>, or the exact cache's settings.</summary>
    public ExactCacheOptions Exact { get; set; } = new();

    /// <summary><c>cache.semantic</c>: answers for requests close in meaning to one already answered.</summary>
    public SemanticCacheOptions Semantic { get; set; } = new();

    /// <summary>
    /// Whose answers a caller may be served: <c>key</c> (default: each virtual key its own), <c>team</c>
    /// (keys of one team share) or <c>global</c> (everyone shares). The namespace header narrows it further.
    /// </summary>
    public string Partition { get; set; } = CachePartitions.Key;

    /// <summary>The request header that puts a request in a namespace of its own (within the partition).</summary>
    [ConfigurationKeyName("namespace_header")]
    public string NamespaceHeader { get; set; } = "x-switchboard-cache-namespace";

    /// <summary>
    /// The prefix of every Redis key the caches write (exact entries under <c>PREFIX x:</c>, semantic ones under
    /// <c>PREFIX s:</c>), so deployments sharing one Redis keep apart; a purge only touches its own prefix.
    /// </summary>
    [ConfigurationKeyName("redis_prefix")]
    public string RedisPrefix { get; set; } = "switchboard:cache:";

    /// <summary>Whether answers cut by the token limit (<c>finish_reason: length</c>) are stored too.</summary>
    [ConfigurationKeyName("store_truncated")]
    public bool StoreTruncated { get; set; }

    /// <summary>True when either cache is on.</summary>
    public bool AnyEnabled => Exact.Enabled || Semantic.Enabled;
}
