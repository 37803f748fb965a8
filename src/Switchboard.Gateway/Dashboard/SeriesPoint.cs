using System.Text.Json.Serialization;

namespace Switchboard.Gateway.Dashboard;

/// <summary>The overview's totals for one interval.</summary>
public sealed record SeriesPoint
{
    [JsonPropertyName("time")] public required DateTimeOffset Time { get; init; }
    [JsonPropertyName("requests")] public int Requests { get; init; }
    [JsonPropertyName("errors")] public int Errors { get; init; }
    [JsonPropertyName("p50_ms")] public double? P50Ms { get; init; }
    [JsonPropertyName("p99_ms")] public double? P99Ms { get; init; }
    [JsonPropertyName("input_tokens")] public long InputTokens { get; init; }
    [JsonPropertyName("output_tokens")] public long OutputTokens { get; init; }
    [JsonPropertyName("cost_usd")] public decimal CostUsd { get; init; }
    [JsonPropertyName("cache_hits")] public int CacheHits { get; init; }
    [JsonPropertyName("cost_saved_usd")] public decimal CostSavedUsd { get; init; }
}
