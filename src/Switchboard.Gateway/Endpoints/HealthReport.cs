using System.Text.Json.Serialization;

namespace Switchboard.Gateway.Endpoints;

/// <summary>The body of <c>/health</c> and <c>/health/ready</c>.</summary>
public sealed record HealthReport
{
    /// <summary><c>ok</c>, <c>ready</c> or <c>unavailable</c>.</summary>
    [JsonPropertyName("status")] public required string Status { get; init; }

    /// <summary>Each provider's probe, by name (readiness only).</summary>
    [JsonPropertyName("providers")] public IReadOnlyDictionary<string, ProviderHealthReport>? Providers { get; init; }

    /// <summary>Deployments (<c>provider/model</c>) the router is skipping because they kept failing; absent when there are none.</summary>
    [JsonPropertyName("open_circuits")] public IReadOnlyDictionary<string, CircuitReport>? OpenCircuits { get; init; }
}
