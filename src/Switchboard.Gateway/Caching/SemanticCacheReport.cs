using System.Text.Json.Serialization;

namespace Switchboard.Gateway.Caching;

/// <summary>The semantic cache's part of <see cref="CacheReport"/>.</summary>
public sealed record SemanticCacheReport
{
    /// <summary><c>sqlite</c>, <c>postgres</c>, <c>redis</c> or <c>memory</c>.</summary>
    [JsonPropertyName("store")] public required string Store { get; init; }

    /// <summary>The embedder's name (<c>minilm-l6-v2</c>, or <c>model:NAME</c> for a routed one).</summary>
    [JsonPropertyName("embedder")] public required string Embedder { get; init; }

    [JsonPropertyName("threshold")] public double Threshold { get; init; }

    /// <summary>Entries searchable in this process.</summary>
    [JsonPropertyName("entries")] public int Entries { get; init; }

    /// <summary>Searchable entries per namespace (the names <c>DELETE /admin/cache?namespace=</c> takes).</summary>
    [JsonPropertyName("namespaces")] public IReadOnlyDictionary<string, int> Namespaces { get; init; } = new Dictionary<string, int>();

    [JsonPropertyName("ttl_seconds")] public long TtlSeconds { get; init; }
}
