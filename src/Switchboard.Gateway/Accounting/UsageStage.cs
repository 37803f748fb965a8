using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Switchboard.Gateway.Auth;
using Switchboard.Gateway.Routing;
using Switchboard.OpenAI;
using Switchboard.Pipeline;
using Switchboard.Streaming;
using Switchboard.Accounting;

namespace Switchboard.Gateway.Accounting;

/// <summary>
/// Leaves one usage record per request, on the way back: for a whole answer when it returns, for a stream when
/// its last event has gone to the client (or the stream broke, or the client left), with the usage the upstream
/// reported. Enqueueing is all it does on the request path (<see cref="IUsageSink"/> never waits).
/// </summary>
public sealed class UsageStage(IUsageSink sink, DeploymentPrices prices, TimeProvider timeProvider, bool storeMessages) : IChatStage
{
    /// <summary>An optional <see cref="ChatContext.Items"/> entry (decimal USD) a cost stage may set; else prices × tokens.</summary>
    public const string CostItem = "switchboard.cost";

    /// <summary>An optional <see cref="ChatContext.Items"/> entry (string) the cache stage sets: hit, semantic, miss.</summary>
    public const string CacheItem = "switchboard.cache";

    public string Name => "usage";

    public async ValueTask<ChatResult> InvokeAsync(ChatContext context, ChatStageDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var arrived = timeProvider.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        ChatResult result;
        try
        {
            result = await next(context, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Record(context, arrived, started, null, null, 499, "client_closed", null, stream: false);
            throw;
        }

        switch (result)
        {
            case ChatResult.Completed completed:
                Record(context, arrived, started, completed.Response.Usage, null, 200, null, storeMessages ? AnswerOf(completed.Response) : null, stream: false);
                return result;
            case ChatResult.Failed failed:
                Record(context, arrived, started, null, null, failed.Error.StatusCode, failed.Error.Code ?? failed.Error.Type, null, stream: false);
                return result;
            case ChatResult.Streaming streaming:
                return new ChatResult.Streaming(Observe(streaming.Chunks, context, arrived, started));
            default:
                return result;
        }
    }

    private async IAsyncEnumerable<StreamedChunk> Observe(IAsyncEnumerable<StreamedChunk> chunks, ChatContext context, DateTimeOffset arrived, long started, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        OpenAI.Usage? usage = null;
        double? firstEvent = null;
        string? errorCode = "client_closed";
        var answer = storeMessages ? new StringBuilder() : null;
        try
        {
            await foreach (var chunk in chunks.WithCancellation(cancellationToken))
            {
                firstEvent ??= Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (chunk.HasUsage)
                {
                    usage = chunk.Chunk.Usage ?? usage;
                }

                if (answer is not null)
                {
                    foreach (var choice in chunk.Chunk.Choices)
                    {
                        answer.Append(choice.Delta?.Content);
                    }
                }

                yield return chunk;
            }

            errorCode = null;
        }
        finally
        {
            // Runs when the stream ended, failed (the writer saw ChatStreamException) or the client went away.
            Record(context, arrived, started, usage, firstEvent, 200, errorCode, answer?.ToString(), stream: true);
        }
    }

    private void Record(ChatContext context, DateTimeOffset arrived, long started, OpenAI.Usage? usage, double? firstEventMs, int status, string? errorCode, string? answer, bool stream)
    {
        var headers = context.ResponseHeaders;
        var provider = Header(headers, GatewayHeaders.Provider);
        var servedModel = Header(headers, GatewayHeaders.Model);
        var deployment = prices.Find(provider, servedModel);
        var input = usage?.PromptTokens ?? 0;
        var output = usage?.CompletionTokens ?? 0;
        var identity = AuthStage.IdentityOf(context);
        var cost = context.Items.Count > 0 && context.Items.TryGetValue(CostItem, out var set) && set is decimal given
            ? given
            : DeploymentPrices.Cost(deployment, input, output);
        sink.TryEnqueue(new UsageRecord
        {
            Timestamp = arrived,
            RequestId = Header(headers, GatewayHeaders.RequestId) ?? string.Empty,
            KeyId = identity.KeyId,
            User = identity.User,
            Team = identity.Team,
            EndUser = identity.EndUser,
            RequestedModel = context.RequestedModel,
            ServedModel = servedModel,
            Provider = provider,
            Deployment = deployment?.Id ?? (provider is null ? null : provider + "/" + servedModel),
            InputTokens = input,
            OutputTokens = output,
            CostUsd = cost,
            LatencyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            TimeToFirstTokenMs = firstEventMs,
            Attempts = headers.TryGetValue(GatewayHeaders.Attempts, out var attempts) && int.TryParse(attempts, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0,
            Stream = stream,
            CacheResult = context.Items.Count > 0 && context.Items.TryGetValue(CacheItem, out var cache) ? cache as string : Header(headers, GatewayHeaders.Cache),
            Status = status,
            ErrorCode = errorCode,
            Exchange = storeMessages ? new StoredExchange { MessagesJson = MessagesJson(context), Answer = answer } : null,
        });
    }

    private static string? Header(IDictionary<string, string> headers, string name) =>
        headers.TryGetValue(name, out var value) ? value : null;

    private static string AnswerOf(ChatCompletionResponse response) =>
        string.Join('\n', response.Choices.Select(c => c.Message?.Text).Where(t => !string.IsNullOrEmpty(t)));

    /// <summary>The request's <c>messages</c> array as the client sent it (or as a stage rewrote it).</summary>
    private static string MessagesJson(ChatContext context)
    {
        var json = context.ClientJson;
        var bytes = json.IsEmpty ? JsonSerializer.SerializeToUtf8Bytes(context.Request, OpenAIJsonContext.Default.ChatCompletionRequest) : json.ToArray();
        using var document = JsonDocument.Parse(bytes);
        return document.RootElement.TryGetProperty("messages", out var messages) ? messages.GetRawText() : "[]";
    }
}
