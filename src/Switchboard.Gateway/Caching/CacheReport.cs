using System.Text.Json.Serialization;

namespace Switchboard.Gateway.Caching;

/// <summary>The answer of <c>GET /admin/cache</c>.</summary>
public sealed record CacheReport
{
    /// <summary><c>cache.partition</c>: whose answers a caller may get (key, team or global).</summary>
    [JsonPropertyName("partition")] public required string Partition { get; init; }

    /// <summary>The exact cache; null when it is off.</summary>
    [JsonPropertyName("exact")] public ExactCacheReport? Exact { get; init; }

    /// <summary>The semantic cache; null when it is off.</summary>
    [JsonPropertyName("semantic")] public SemanticCacheReport? Semantic { get; init; }

    /// <summary>What this process's caches did since it started.</summary>
    [JsonPropertyName("requests")] public required CacheRequestsReport Requests { get; init; }
}
