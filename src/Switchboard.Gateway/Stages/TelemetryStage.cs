using System.Diagnostics;
using Switchboard.Gateway.Pipeline;
using Switchboard.Gateway.Telemetry;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Stages;

/// <summary>
/// One span per request (GenAI semantic conventions, child of the caller's W3C trace context) and the request's
/// metrics, both finished when the request completes: after a stream's last chunk. First in the pipeline, so
/// it sees every answer, 401s, 429s and cache hits included. Not composed when telemetry is off.
/// </summary>
public sealed class TelemetryStage : IGatewayStage
{
    private const string AspNetCoreSource = "Microsoft.AspNetCore";
    private const string AspNetCoreActivity = "Microsoft.AspNetCore.Hosting.HttpRequestIn";

    private readonly GatewayMetrics _metrics;
    private readonly TelemetrySettings _settings;

    public TelemetryStage(GatewayMetrics metrics, TelemetrySettings settings)
    {
        _metrics = metrics;
        _settings = settings;
    }

    public string Name => "telemetry";

    public GatewayOperations Operations => _settings.Enabled ? GatewayOperations.All : GatewayOperations.None;

    public ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var activity = GatewayTelemetry.Source.HasListeners() ? StartRequestActivity(context) : null;
        var request = new RequestTelemetry(this, activity);
        context.OnCompleted(static (context, state) => ((RequestTelemetry)state!).Complete(context), request);
        return InvokeObservedAsync(context, next, request, cancellationToken);
    }

    private static async ValueTask<GatewayResult> InvokeObservedAsync(GatewayContext context, GatewayDelegate next, RequestTelemetry request, CancellationToken cancellationToken)
    {
        // Activity.Current is the request span below this point only; an async method restores the caller's
        // value when it returns, so the span does not leak into the endpoint that writes the answer.
        if (request.Activity is { } activity)
        {
            Activity.Current = activity;
        }

        var result = await next(context, cancellationToken);
        if (result is ChatResult.Streaming)
        {
            request.StreamStarted();
        }

        return result;
    }

    private static Activity? StartRequestActivity(GatewayContext context)
    {
        var operation = GatewayMetrics.OperationName(context.Operation);
        var current = Activity.Current;
        Activity? activity;
        if (current is null || current.Source.Name == AspNetCoreSource || current.OperationName == AspNetCoreActivity)
        {
            // ASP.NET Core's own activity is never exported (the gateway does not add its instrumentation); its
            // parent is the caller's traceparent. Parent the request span there, so the exported trace has no
            // hole where the unexported span would be.
            var parent = current is { ParentSpanId: var parentSpan } && parentSpan != default
                ? new ActivityContext(current.TraceId, parentSpan, current.ActivityTraceFlags, current.TraceStateString, isRemote: true)
                : ParentFromHeaders(context);
            activity = GatewayTelemetry.Source.StartActivity(operation, ActivityKind.Server, parent);
        }
        else
        {
            activity = GatewayTelemetry.Source.StartActivity(operation, ActivityKind.Server);
        }

        if (activity is null)
        {
            return null;
        }

        activity.DisplayName = context.RequestedModel.Length > 0 ? operation + " " + context.RequestedModel : operation;
        if (activity.IsAllDataRequested)
        {
            activity.SetTag(GenAiAttributes.OperationName, operation);
            if (context.RequestedModel.Length > 0)
            {
                activity.SetTag(GenAiAttributes.RequestModel, context.RequestedModel);
            }

            activity.SetTag(GenAiAttributes.RequestId, context.RequestId);
            if (context.Operation == GatewayOperations.Chat)
            {
                var chat = context.ChatRequest;
                activity.SetTag(GenAiAttributes.RequestMaxTokens, chat.MaxCompletionTokens ?? chat.MaxTokens);
                activity.SetTag(GenAiAttributes.RequestTemperature, chat.Temperature);
                activity.SetTag(GenAiAttributes.RequestTopP, chat.TopP);
                activity.SetTag(GenAiAttributes.Stream, chat.Stream == true);
            }
        }

        return activity;
    }

    private static ActivityContext ParentFromHeaders(GatewayContext context) =>
        context.RequestHeaders.TryGetValue("traceparent", out var traceparent)
        && ActivityContext.TryParse(traceparent, context.RequestHeaders.GetValueOrDefault("tracestate"), isRemote: true, out var parent)
            ? parent
            : default;

    /// <summary>What one request's telemetry needs until it completes: one allocation, only when telemetry is on.</summary>
    private sealed class RequestTelemetry(TelemetryStage stage, Activity? activity)
    {
        private bool _streaming;

        public Activity? Activity { get; } = activity;

        public void StreamStarted()
        {
            _streaming = true;
            stage._metrics.StreamStarted();
        }

        public ValueTask Complete(GatewayContext context)
        {
            if (_streaming)
            {
                stage._metrics.StreamEnded();
            }

            stage._metrics.Record(context);
            if (Activity is { } activity)
            {
                if (activity.IsAllDataRequested)
                {
                    SetOutcome(activity, context);
                }

                activity.Stop();
            }

            return ValueTask.CompletedTask;
        }

        private static void SetOutcome(Activity activity, GatewayContext context)
        {
            if (context.Route is { } route && route.Name != context.RequestedModel)
            {
                activity.SetTag("switchboard.model", route.Name);
            }

            if (context.Deployment is { } deployment)
            {
                activity.SetTag(GenAiAttributes.ResponseModel, deployment.UpstreamModel);
                activity.SetTag(GenAiAttributes.ProviderName, deployment.Provider.Type);
                activity.SetTag(GenAiAttributes.System, deployment.Provider.Type);
                activity.SetTag(GenAiAttributes.Provider, deployment.ProviderName);
                activity.SetTag(GenAiAttributes.Deployment, deployment.Id);
            }

            if (context.Usage is { } usage)
            {
                activity.SetTag(GenAiAttributes.InputTokens, usage.PromptTokens);
                activity.SetTag(GenAiAttributes.OutputTokens, usage.CompletionTokens);
            }

            if (context.Cost is { } cost)
            {
                activity.SetTag(GenAiAttributes.CostUsd, (double)cost);
            }

            if (context.Attempts is { } attempts)
            {
                activity.SetTag(GenAiAttributes.Attempts, attempts);
            }

            if (context.Cache.Outcome != CacheOutcome.Bypass)
            {
                activity.SetTag(GenAiAttributes.Cache, context.Cache.HeaderValue);
            }

            if (context.Caller?.KeyPrefix is { } prefix)
            {
                activity.SetTag(GenAiAttributes.KeyPrefix, prefix);
            }

            if (context.TimeToFirstToken is { } ttft)
            {
                activity.SetTag("switchboard.time_to_first_token_ms", ttft.TotalMilliseconds);
            }

            activity.SetTag("http.response.status_code", context.StatusCode);
            if (context.Error is { } error)
            {
                activity.SetTag("error.type", error.Code ?? "http_" + error.StatusCode);
                activity.SetStatus(ActivityStatusCode.Error, error.Message);
            }
            else if (context.Aborted)
            {
                activity.SetTag("error.type", "client_closed");
            }
        }
    }
}
