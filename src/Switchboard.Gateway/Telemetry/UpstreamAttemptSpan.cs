using System.Diagnostics;
using Switchboard.Errors;
using Switchboard.Gateway.Pipeline;
using Switchboard.Gateway.Routing;

namespace Switchboard.Gateway.Telemetry;

/// <summary>The client span of one call to an upstream (GenAI conventions): one per attempt, retries and fallbacks included.</summary>
internal static class UpstreamAttemptSpan
{
    public static Activity? Start(GatewayContext context, Deployment deployment, int attempt)
    {
        // Only under a request span of this gateway: another gateway in the process with telemetry on (tests)
        // makes the source have listeners, but a gateway with telemetry off traces nothing.
        if (!GatewayTelemetry.Source.HasListeners() || Activity.Current is not { Source.Name: GatewayTelemetry.SourceName })
        {
            return null;
        }

        var operation = GatewayMetrics.OperationName(context.Operation);
        var activity = GatewayTelemetry.Source.StartActivity(operation, ActivityKind.Client);
        if (activity is null)
        {
            return null;
        }

        activity.DisplayName = operation + " " + deployment.UpstreamModel;
        if (activity.IsAllDataRequested)
        {
            activity.SetTag(GenAiAttributes.OperationName, operation);
            activity.SetTag(GenAiAttributes.RequestModel, deployment.UpstreamModel);
            activity.SetTag(GenAiAttributes.ProviderName, deployment.Provider.Type);
            activity.SetTag(GenAiAttributes.System, deployment.Provider.Type);
            activity.SetTag(GenAiAttributes.Provider, deployment.ProviderName);
            activity.SetTag(GenAiAttributes.Deployment, deployment.Id);
            activity.SetTag(GenAiAttributes.Attempt, attempt);
        }

        return activity;
    }

    public static void Ended(Activity? activity, GatewayError? error)
    {
        if (activity is null || !activity.IsAllDataRequested)
        {
            return;
        }

        if (error is null)
        {
            return;
        }

        activity.SetTag("error.type", error.Code ?? "http_" + error.StatusCode);
        activity.SetTag("http.response.status_code", error.StatusCode);
        activity.SetStatus(ActivityStatusCode.Error, error.Message);
    }

    public static void Failed(Activity? activity, Exception exception)
    {
        if (activity is null || !activity.IsAllDataRequested)
        {
            return;
        }

        activity.SetTag("error.type", exception is OperationCanceledException ? "cancelled" : exception.GetType().FullName);
        activity.SetStatus(ActivityStatusCode.Error, exception is OperationCanceledException ? "cancelled" : exception.Message);
    }
}
