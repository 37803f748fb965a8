using System.Text.Json.Serialization;

namespace Switchboard.Gateway.Caching;

/// <summary>The answer of <c>DELETE /admin/cache</c>: how many entries went from each cache.</summary>
public sealed record CachePurgeReport
{
    [JsonPropertyName("exact")] public long Exact { get; init; }

    [JsonPropertyName("semantic")] public long Semantic { get; init; }
}
