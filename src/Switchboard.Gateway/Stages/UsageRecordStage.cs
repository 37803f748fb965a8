using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Switchboard.Accounting;
using Switchboard.Data;
using Switchboard.Errors;
using Switchboard.Gateway.Pipeline;
using Switchboard.OpenAI;
using Switchboard.Pipeline;
using Switchboard.Streaming;

namespace Switchboard.Gateway.Stages;

/// <summary>
/// One usage record per chat or embeddings request, made once the request is over (a stream: after its last
/// event went out, it failed, or the client left) from what the context then knows: caller, route, deployment,
/// real usage, cost, timings, cache outcome and status. On the request path it only registers a completion
/// callback, which hands the record to <see cref="IUsageSink"/> (a bounded queue; never waits). First in the
/// order, so 401s, 429s and cache hits leave records too. With <c>database.store_messages</c> it also keeps the
/// messages and the answer's text, which the writer encrypts.
/// </summary>
public sealed class UsageRecordStage(IUsageSink sink, IOptions<DatabaseOptions> options) : IGatewayStage
{
    private const string AnswerItem = "switchboard.usage.answer";

    private readonly bool _storeMessages = options.Value.StoreMessages;

    /// <inheritdoc />
    public string Name => "usage";

    /// <inheritdoc />
    public GatewayOperations Operations => options.Value.RecordUsage ? GatewayOperations.Inference : GatewayOperations.None;

    /// <inheritdoc />
    public ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        context.OnCompleted(static (ctx, state) => ((UsageRecordStage)state!).Enqueue(ctx), this);
        return _storeMessages && context.Operation == GatewayOperations.Chat
            ? KeepAnswerAsync(context, next, cancellationToken)
            : next(context, cancellationToken);
    }

    private static async ValueTask<GatewayResult> KeepAnswerAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
    {
        var result = await next(context, cancellationToken);
        switch (result)
        {
            case ChatResult.Completed completed:
                context.Items[AnswerItem] = string.Join('\n', completed.Response.Choices.Select(c => c.Message.Text).Where(t => t.Length > 0));
                return result;
            case ChatResult.Streaming streaming:
                var answer = new AnswerCollector();
                context.Items[AnswerItem] = answer;
                return new ChatResult.Streaming(streaming.Chunks.Observe(answer));
            default:
                return result;
        }
    }

    private ValueTask Enqueue(GatewayContext context)
    {
        var usage = context.Usage;
        var deployment = context.Deployment;
        sink.TryEnqueue(new UsageRecord
        {
            Timestamp = context.StartedAt,
            RequestId = context.RequestId,
            Endpoint = context.Operation == GatewayOperations.Embeddings ? "embeddings" : "chat",
            KeyId = context.Caller?.KeyId,
            User = context.Caller?.User,
            Team = context.Caller?.Team,
            EndUser = context.EndUser,
            RequestedModel = context.RequestedModel,
            ServedModel = deployment?.UpstreamModel,
            Provider = deployment?.ProviderName,
            Deployment = deployment?.Id,
            InputTokens = usage?.PromptTokens ?? 0,
            OutputTokens = usage?.CompletionTokens ?? 0,
            CostUsd = context.Cost ?? 0m,
            LatencyMs = (context.Duration ?? context.Elapsed).TotalMilliseconds,
            TimeToFirstTokenMs = context.TimeToFirstToken?.TotalMilliseconds,
            Attempts = context.Attempts ?? 0,
            Stream = context.Operation == GatewayOperations.Chat && context.ChatRequest.Stream == true,
            CacheResult = context.Cache.HeaderValue,
            CachedTokens = context.Cache.TokensSaved,
            CostSavedUsd = context.Cache.CostSaved,
            CompressionTokensSaved = context.Compression?.TokensSaved ?? 0,
            Status = context.StatusCode,
            ErrorCode = context.ErrorCode ?? (context.Error is { } error ? error.Type : null),
            Exchange = _storeMessages && context.Operation == GatewayOperations.Chat ? Exchange(context) : null,
        });
        return ValueTask.CompletedTask;
    }

    private static StoredExchange Exchange(GatewayContext context)
    {
        var answer = context.Items.TryGetValue(AnswerItem, out var kept) ? kept?.ToString() : null;
        var json = context.ClientJson;
        var bytes = json.IsEmpty ? JsonSerializer.SerializeToUtf8Bytes(context.ChatRequest, OpenAIJsonContext.Default.ChatCompletionRequest) : json.ToArray();
        using var document = JsonDocument.Parse(bytes);
        var messages = document.RootElement.TryGetProperty("messages", out var list) ? list.GetRawText() : "[]";
        return new StoredExchange { MessagesJson = messages, Answer = answer };
    }

    /// <summary>Collects a stream's text as it passes (only with <c>database.store_messages</c>).</summary>
    private sealed class AnswerCollector : IChunkObserver
    {
        private readonly StringBuilder _text = new();

        public void OnChunk(StreamedChunk chunk)
        {
            foreach (var choice in chunk.Chunk.Choices)
            {
                _text.Append(choice.Delta?.Content);
            }
        }

        public void OnEnd(StreamEnd end, GatewayError? error)
        {
        }

        public override string ToString() => _text.ToString();
    }
}
