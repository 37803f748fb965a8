using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Switchboard.Gateway.Telemetry;

/// <summary>
/// Turns telemetry on in a gateway host: the OpenTelemetry SDK subscribed to the gateway's source and meter,
/// the OTLP exporter when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the SDK reads every other <c>OTEL_*</c>
/// variable itself), and the Prometheus exporter when <c>telemetry.prometheus.enabled</c>.
/// </summary>
public static class GatewayTelemetrySetup
{
    /// <summary>The variable whose presence turns the OTLP exporter (and so telemetry) on.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Registers what <paramref name="options"/> and <paramref name="environment"/> ask for; returns the resolved settings.</summary>
    public static TelemetrySettings Add(WebApplicationBuilder builder, TelemetryOptions options, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        var otlp = !string.IsNullOrWhiteSpace(environment.GetValueOrDefault(OtlpEndpointVariable));
        var enabled = options.Enabled ?? (otlp || options.Prometheus.Enabled);
        var settings = enabled ? new TelemetrySettings(true, options.StageSpans) : TelemetrySettings.Off;
        builder.Services.Replace(ServiceDescriptor.Singleton(settings));
        if (!enabled)
        {
            return settings;
        }

        // The SDK reads OTEL_* from the host's configuration; a host given its own environment (tests) passes
        // those variables on here.
        builder.Configuration.AddInMemoryCollection(environment.Where(e => e.Key.StartsWith("OTEL_", StringComparison.Ordinal)));
        var otel = builder.Services.AddOpenTelemetry();
        if (string.IsNullOrWhiteSpace(environment.GetValueOrDefault("OTEL_SERVICE_NAME")))
        {
            otel.ConfigureResource(resource => resource.AddService("switchboard"));
        }

        otel.WithTracing(tracing =>
        {
            tracing.AddSource(GatewayTelemetry.SourceName);
            if (otlp)
            {
                tracing.AddOtlpExporter();
            }
        });
        otel.WithMetrics(metrics =>
        {
            metrics.AddMeter(GatewayTelemetry.MeterName);
            if (otlp)
            {
                metrics.AddOtlpExporter();
            }

            if (options.Prometheus.Enabled)
            {
                metrics.AddPrometheusExporter();
            }
        });
        return settings;
    }

    /// <summary>
    /// Maps the scrape endpoint: on its own port (open there: that port is the operator's to expose), or on the
    /// public port behind <see cref="AdminAccess"/>.
    /// </summary>
    public static void MapPrometheus(WebApplication app, PrometheusOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Port is > 0 and var port)
        {
            app.MapPrometheusScrapingEndpoint(options.Path).RequireHost("*:" + port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return;
        }

        var access = app.Services.GetRequiredService<AdminAccess>();
        app.MapPrometheusScrapingEndpoint(options.Path, meterProvider: null, configureBranchedPipeline: branch => branch.Use(async (http, next) =>
        {
            if (access.IsAllowed(http))
            {
                await next(http);
            }
            else
            {
                await access.DenyAsync(http);
            }
        }), optionsName: null);
    }
}
