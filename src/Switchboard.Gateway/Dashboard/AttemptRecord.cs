using System.Text.Json.Serialization;

namespace Switchboard.Gateway.Dashboard;

/// <summary>One upstream call of a request, as the dashboard shows it.</summary>
public sealed record AttemptRecord(
    [property: JsonPropertyName("deployment")] string Deployment,
    [property: JsonPropertyName("number")] int Number,
    [property: JsonPropertyName("started_ms")] double StartedMs,
    [property: JsonPropertyName("duration_ms")] double DurationMs,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("error_code")] string? ErrorCode);
