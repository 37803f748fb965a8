using System.Text.Json.Serialization;

namespace Switchboard.Gateway.Endpoints;

/// <summary>One provider's line in <c>/health/ready</c>.</summary>
public sealed record ProviderHealthReport
{
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("healthy")] public required bool Healthy { get; init; }
    [JsonPropertyName("detail")] public string? Detail { get; init; }
}
