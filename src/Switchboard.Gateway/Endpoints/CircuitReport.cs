using System.Text.Json.Serialization;

namespace Switchboard.Gateway.Endpoints;

/// <summary>One deployment whose circuit is not closed, in <c>/health/ready</c>'s <c>open_circuits</c>.</summary>
public sealed record CircuitReport
{
    /// <summary><c>open</c> (skipped) or <c>half_open</c> (a trial request is out).</summary>
    [JsonPropertyName("state")] public required string State { get; init; }

    /// <summary>Whole seconds until a trial request may go; 0 when the next request will be the trial.</summary>
    [JsonPropertyName("retry_after")] public required int RetryAfter { get; init; }
}
