using System.Diagnostics;
using Switchboard.Gateway.Pipeline;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Telemetry;

/// <summary>
/// A span around one pipeline stage. A stage calls the rest of the pipeline, so its span encloses those of the
/// stages after it and the upstream attempts, like middleware spans do; the way back is inside it too.
/// </summary>
internal static class StageSpan
{
    public static GatewayDelegate Wrap(IGatewayStage stage, GatewayDelegate next)
    {
        var name = "stage " + stage.Name;
        return (context, cancellationToken) => GatewayTelemetry.Source.HasListeners() && Activity.Current is { Source.Name: GatewayTelemetry.SourceName }
            ? TracedAsync(stage, name, context, next, cancellationToken)
            : stage.InvokeAsync(context, next, cancellationToken);
    }

    private static async ValueTask<GatewayResult> TracedAsync(IGatewayStage stage, string name, GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
    {
        using var activity = GatewayTelemetry.Source.StartActivity(name, ActivityKind.Internal);
        activity?.SetTag(GenAiAttributes.Stage, stage.Name);
        var result = await stage.InvokeAsync(context, next, cancellationToken);
        if (activity is not null && result.Error is { } error)
        {
            activity.SetTag("error.type", error.Code ?? "http_" + error.StatusCode);
            activity.SetStatus(ActivityStatusCode.Error, error.Message);
        }

        return result;
    }
}
