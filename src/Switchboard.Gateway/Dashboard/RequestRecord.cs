using System.Text.Json.Serialization;
using Switchboard.Gateway.Pipeline;

namespace Switchboard.Gateway.Dashboard;

/// <summary>One finished request as the dashboard shows it (the live log, a request's detail).</summary>
public sealed record RequestRecord
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("time")] public required DateTimeOffset Time { get; init; }
    [JsonPropertyName("operation")] public required string Operation { get; init; }
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("served_model")] public string? ServedModel { get; init; }
    [JsonPropertyName("deployment")] public string? Deployment { get; init; }
    [JsonPropertyName("provider")] public string? Provider { get; init; }
    [JsonPropertyName("key_prefix")] public string? KeyPrefix { get; init; }
    [JsonPropertyName("key_name")] public string? KeyName { get; init; }
    [JsonPropertyName("user")] public string? User { get; init; }
    [JsonPropertyName("stream")] public bool Stream { get; init; }
    [JsonPropertyName("status")] public required int Status { get; init; }
    [JsonPropertyName("error_code")] public string? ErrorCode { get; init; }
    [JsonPropertyName("error_message")] public string? ErrorMessage { get; init; }
    [JsonPropertyName("latency_ms")] public double LatencyMs { get; init; }
    [JsonPropertyName("ttft_ms")] public double? TimeToFirstTokenMs { get; init; }
    [JsonPropertyName("upstream_ms")] public double? UpstreamMs { get; init; }
    [JsonPropertyName("input_tokens")] public int InputTokens { get; init; }
    [JsonPropertyName("output_tokens")] public int OutputTokens { get; init; }
    [JsonPropertyName("cost_usd")] public decimal? CostUsd { get; init; }
    [JsonPropertyName("cache")] public string Cache { get; init; } = "bypass";
    [JsonPropertyName("cost_saved_usd")] public decimal CostSavedUsd { get; init; }
    [JsonPropertyName("attempts")] public IReadOnlyList<AttemptRecord> Attempts { get; init; } = [];
    [JsonPropertyName("trace_id")] public string? TraceId { get; init; }

    /// <summary>The record of a completed request.</summary>
    public static RequestRecord From(GatewayContext context, string? traceId)
    {
        ArgumentNullException.ThrowIfNull(context);
        var usage = context.Usage;
        return new RequestRecord
        {
            Id = context.RequestId,
            Time = context.StartedAt,
            Operation = context.Operation == GatewayOperations.Chat ? "chat" : "embeddings",
            Model = context.RequestedModel,
            ServedModel = context.Route?.Name,
            Deployment = context.Deployment?.Id,
            Provider = context.Deployment?.ProviderName,
            KeyPrefix = context.Caller?.KeyPrefix,
            KeyName = context.Caller?.KeyName,
            User = context.EndUser,
            Stream = context.Operation == GatewayOperations.Chat && context.ChatRequest.IsStreaming,
            Status = context.StatusCode,
            ErrorCode = context.ErrorCode,
            ErrorMessage = context.Error?.Message,
            LatencyMs = Math.Round((context.Duration ?? context.Elapsed).TotalMilliseconds, 2),
            TimeToFirstTokenMs = context.TimeToFirstToken is { } ttft ? Math.Round(ttft.TotalMilliseconds, 2) : null,
            UpstreamMs = context.UpstreamLatency is { } upstream ? Math.Round(upstream.TotalMilliseconds, 2) : null,
            InputTokens = usage?.PromptTokens ?? 0,
            OutputTokens = usage?.CompletionTokens ?? 0,
            CostUsd = context.Cost,
            Cache = context.Cache.HeaderValue,
            CostSavedUsd = context.Cache.CostSaved,
            Attempts = context.AttemptLog is { Count: > 0 } attempts
                ? [.. attempts.Select(a => new AttemptRecord(a.Deployment, a.Number, Math.Round(a.StartedAfter.TotalMilliseconds, 2), Math.Round(a.Duration.TotalMilliseconds, 2), a.StatusCode, a.ErrorCode))]
                : [],
            TraceId = traceId,
        };
    }
}
