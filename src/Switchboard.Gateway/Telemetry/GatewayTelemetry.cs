using System.Diagnostics;

namespace Switchboard.Gateway.Telemetry;

/// <summary>
/// The names under which the gateway publishes traces and metrics, for an OpenTelemetry SDK (or any
/// <see cref="ActivityListener"/> / <c>MeterListener</c>) to subscribe to.
/// </summary>
public static class GatewayTelemetry
{
    /// <summary>The <see cref="ActivitySource"/> of request, stage and upstream-attempt spans.</summary>
    public const string SourceName = "Switchboard.Gateway";

    /// <summary>The meter of the gateway's request, token, cost, cache and circuit metrics.</summary>
    public const string MeterName = "Switchboard.Gateway";

    // An ActivitySource is process-wide by design (listeners subscribe by name); StartActivity returns null at
    // the price of one check when nobody listens.
    internal static readonly ActivitySource Source = new(SourceName, typeof(GatewayTelemetry).Assembly.GetName().Version?.ToString());
}
