using Microsoft.Extensions.Configuration;

namespace Switchboard.Gateway.Telemetry;

/// <summary><c>telemetry:</c> OpenTelemetry traces and metrics. Exporters are configured with the standard <c>OTEL_*</c> variables.</summary>
public sealed class TelemetryOptions
{
    /// <summary>
    /// True records spans and metrics; false never does (the pipeline then has no telemetry stage). Null (the
    /// default): on when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set or the Prometheus endpoint is enabled.
    /// </summary>
    public bool? Enabled { get; set; }

    /// <summary>A child span per pipeline stage under each request's span (only while a listener samples it).</summary>
    [ConfigurationKeyName("stage_spans")]
    public bool StageSpans { get; set; } = true;

    public PrometheusOptions Prometheus { get; set; } = new();
}
