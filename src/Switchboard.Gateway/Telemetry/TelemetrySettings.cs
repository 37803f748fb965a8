namespace Switchboard.Gateway.Telemetry;

/// <summary>
/// Telemetry as resolved at start-up (<c>telemetry.enabled</c>, or on because an exporter is configured). Off,
/// the pipeline has no telemetry stage and no stage spans: the hot path is what it is without telemetry.
/// </summary>
/// <param name="Enabled">Spans and metrics are recorded.</param>
/// <param name="StageSpans">A child span per pipeline stage.</param>
public sealed record TelemetrySettings(bool Enabled, bool StageSpans)
{
    /// <summary>No telemetry.</summary>
    public static TelemetrySettings Off { get; } = new(false, false);
}
