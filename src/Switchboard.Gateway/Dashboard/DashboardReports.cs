using System.Text.Json.Serialization;

namespace Switchboard.Gateway.Dashboard;

/// <summary><c>GET /ui/api/session</c>: whether the dashboard needs the master key, and which admin APIs this gateway has.</summary>
public sealed record SessionReport(
    [property: JsonPropertyName("requires_key")] bool RequiresKey,
    [property: JsonPropertyName("features")] IReadOnlyDictionary<string, bool> Features);

/// <summary><c>GET /ui/api/overview</c>: totals and a series over a time range.</summary>
public sealed record OverviewReport(
    [property: JsonPropertyName("from")] DateTimeOffset From,
    [property: JsonPropertyName("to")] DateTimeOffset To,
    [property: JsonPropertyName("step_minutes")] int StepMinutes,
    [property: JsonPropertyName("totals")] SeriesPoint Totals,
    [property: JsonPropertyName("series")] IReadOnlyList<SeriesPoint> Series);

/// <summary><c>GET /ui/api/models</c>: every public model with its deployments.</summary>
public sealed record ModelReport(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("fallbacks")] IReadOnlyList<string> Fallbacks,
    [property: JsonPropertyName("deployments")] IReadOnlyList<DeploymentReport> Deployments);

/// <summary>A deployment's configuration, circuit state and latest failures (from the recent requests).</summary>
public sealed record DeploymentReport(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("provider")] string Provider,
    [property: JsonPropertyName("provider_type")] string ProviderType,
    [property: JsonPropertyName("upstream_model")] string UpstreamModel,
    [property: JsonPropertyName("weight")] double Weight,
    [property: JsonPropertyName("input_per_million")] decimal? InputPerMillion,
    [property: JsonPropertyName("output_per_million")] decimal? OutputPerMillion,
    [property: JsonPropertyName("circuit")] string Circuit,
    [property: JsonPropertyName("retry_after_s")] int? RetryAfterSeconds,
    [property: JsonPropertyName("recent_errors")] IReadOnlyList<RecentError> RecentErrors);

/// <summary>One failed call to a deployment.</summary>
public sealed record RecentError(
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("request_id")] string RequestId,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("error_code")] string? ErrorCode,
    [property: JsonPropertyName("message")] string? Message);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SessionReport))]
[JsonSerializable(typeof(OverviewReport))]
[JsonSerializable(typeof(IReadOnlyList<ModelReport>))]
[JsonSerializable(typeof(IReadOnlyList<RequestRecord>))]
[JsonSerializable(typeof(RequestRecord))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
