using System.Text.Json.Serialization;

namespace Switchboard.Gateway.Caching;

/// <summary>The exact cache's part of <see cref="CacheReport"/>.</summary>
public sealed record ExactCacheReport
{
    /// <summary><c>memory</c> or <c>redis</c>.</summary>
    [JsonPropertyName("store")] public required string Store { get; init; }

    /// <summary>Entries held (Redis: every replica's, counted by a scan).</summary>
    [JsonPropertyName("entries")] public long Entries { get; init; }

    /// <summary>Bytes of stored answers (compressed as stored).</summary>
    [JsonPropertyName("bytes")] public long Bytes { get; init; }

    [JsonPropertyName("ttl_seconds")] public long TtlSeconds { get; init; }
}
