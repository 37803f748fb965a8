using System.Text.Json.Serialization;

namespace Switchboard.Gateway.Caching;

/// <summary>What the caches did since the process started (<see cref="CacheStatistics"/>).</summary>
public sealed record CacheRequestsReport
{
    [JsonPropertyName("hit")] public long Hit { get; init; }

    [JsonPropertyName("semantic")] public long Semantic { get; init; }

    [JsonPropertyName("miss")] public long Miss { get; init; }

    [JsonPropertyName("bypass")] public long Bypass { get; init; }

    /// <summary>(hit + semantic) / (hit + semantic + miss).</summary>
    [JsonPropertyName("hit_rate")] public double HitRate { get; init; }

    /// <summary>Semantic misses where the guard refused a candidate above the threshold.</summary>
    [JsonPropertyName("guard_refusals")] public long GuardRefusals { get; init; }

    [JsonPropertyName("stored")] public long Stored { get; init; }

    /// <summary>Answers not stored: failed, cut by <c>length</c>, or unfinished.</summary>
    [JsonPropertyName("not_stored")] public long NotStored { get; init; }

    /// <summary>Lookups and stores skipped because a store or the embedder failed.</summary>
    [JsonPropertyName("failures")] public long Failures { get; init; }
}
