using System.Text.Json.Serialization;

namespace Switchboard.Gateway.Endpoints;

/// <summary>The body of <c>/health</c> and <c>/health/ready</c>.</summary>
public sealed record HealthReport
{
    [JsonPropertyName("status")] public required string Status { get; init; }

    [JsonPropertyName("providers")] public IReadOnlyDictionary<string, ProviderHealthReport>? Providers { get; init; }

    /// <summary>Deployments (<c>provider/model</c>) the router is skipping because they kept failing; absent when there are none.</summary>
    [JsonPropertyName("open_circuits")] public IReadOnlyDictionary<string, CircuitReport>? OpenCircuits { get; init; }
}
