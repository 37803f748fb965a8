using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Switchboard.Gateway.Dashboard;
using Switchboard.Gateway.Pipeline;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Stages;

/// <summary>
/// Keeps each finished request for the dashboard (recent requests, the live log, the overview's series) and, with
/// <c>--log-format json</c>, writes one log line per request. Second, after telemetry, so the trace id is the
/// request span's. Not composed when neither the dashboard nor JSON logs are on.
/// </summary>
public sealed partial class RequestLogStage : IGatewayStage
{
    /// <summary>The category of the per-request log line.</summary>
    public const string LoggerName = "Switchboard.Requests";

    private readonly RequestLog _log;
    private readonly RequestLogSettings _settings;
    private readonly ILogger _logger;

    public RequestLogStage(RequestLog log, RequestLogSettings settings, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _log = log;
        _settings = settings;
        _logger = loggerFactory.CreateLogger(LoggerName);
    }

    public string Name => "request-log";

    public GatewayOperations Operations => _settings.Dashboard || _settings.JsonLines ? GatewayOperations.Inference : GatewayOperations.None;

    public ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (_settings.Dashboard)
        {
            context.AttemptLog = [];
        }

        // The trace id is read now, while the request's span (or ASP.NET Core's activity) is current.
        var traceId = Activity.Current?.TraceId ?? default;
        context.OnCompleted(static (context, state) => ((Pending)state!).Complete(context), new Pending(this, traceId));
        return next(context, cancellationToken);
    }

    private void Complete(GatewayContext context, ActivityTraceId traceId)
    {
        var record = RequestRecord.From(context, traceId == default ? null : traceId.ToHexString());
        if (_settings.Dashboard)
        {
            _log.Add(record);
        }

        if (_settings.JsonLines)
        {
            Log.RequestCompleted(_logger, record.Id, record.KeyPrefix, record.Model, record.ServedModel, record.Status, record.ErrorCode, record.LatencyMs, record.TraceId);
        }
    }

    private sealed class Pending(RequestLogStage stage, ActivityTraceId traceId)
    {
        public ValueTask Complete(GatewayContext context)
        {
            stage.Complete(context, traceId);
            return ValueTask.CompletedTask;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "{RequestId} {KeyPrefix} {Model} -> {ServedModel} {Status} {ErrorCode} in {LatencyMs} ms (trace {TraceId})")]
        public static partial void RequestCompleted(ILogger logger, string requestId, string? keyPrefix, string model, string? servedModel, int status, string? errorCode, double latencyMs, string? traceId);
    }
}
