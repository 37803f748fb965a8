using Switchboard.Errors;
using Switchboard.Gateway.Stages;
using Switchboard.Gateway.Telemetry;
using Switchboard.Pipeline;
using Switchboard.Streaming;

namespace Switchboard.Gateway.Pipeline;

/// <summary>
/// The gateway's pipeline, composed once by <see cref="GatewayPipelineBuilder"/>: one chain of stages per
/// operation (a stage is in the chains of the operations it declares), each ending in the terminal (the router,
/// or the model catalog). The HTTP endpoints and in-process callers (the conversations service) go through it
/// alike.
/// </summary>
public sealed class GatewayPipeline
{
    private readonly GatewayDelegate _chat;
    private readonly GatewayDelegate _embeddings;
    private readonly GatewayDelegate _models;

    internal GatewayPipeline(IReadOnlyList<IGatewayStage> stages, GatewayDelegate terminal, bool stageSpans = false)
    {
        Stages = stages;
        _chat = Compose(stages, GatewayOperations.Chat, terminal, stageSpans);
        _embeddings = Compose(stages, GatewayOperations.Embeddings, terminal, stageSpans);
        _models = Compose(stages, GatewayOperations.Models, terminal, stageSpans);
    }

    /// <summary>Every stage in the order a request meets them (stages switched off are not here).</summary>
    public IReadOnlyList<IGatewayStage> Stages { get; }

    /// <summary>The stages a request of <paramref name="operation"/> goes through, in order.</summary>
    public IReadOnlyList<IGatewayStage> StagesFor(GatewayOperations operation) =>
        [.. Stages.Where(s => (s.Operations & operation) != 0)];

    /// <summary>The order, for the start-up log: <c>validation → model-resolution → router</c>.</summary>
    public string Describe(GatewayOperations operation) =>
        string.Join(" → ", StagesFor(operation).Select(s => s.Name).Append(operation == GatewayOperations.Models ? "models" : "router"));

    /// <summary>
    /// Sends the request through its operation's stages. Failures are results (never exceptions; cancellation by
    /// the caller throws). A failed result is recorded in <see cref="GatewayContext.Error"/>. When a stage asked to
    /// hear of the end (<see cref="GatewayContext.OnCompleted"/>), a returned stream completes the request when it
    /// is disposed; otherwise the caller calls <see cref="GatewayContext.CompleteAsync"/> once it has delivered the
    /// answer (the HTTP endpoints do).
    /// </summary>
    public ValueTask<GatewayResult> InvokeAsync(GatewayContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var chain = context.Operation switch
        {
            GatewayOperations.Chat => _chat,
            GatewayOperations.Embeddings => _embeddings,
            GatewayOperations.Models => _models,
            _ => throw new ArgumentException($"Unknown operation {context.Operation}.", nameof(context)),
        };
        var pending = chain(context, cancellationToken);
        return pending.IsCompletedSuccessfully
            ? new ValueTask<GatewayResult>(Finish(context, pending.Result))
            : AwaitAsync(pending, context);
    }

    /// <summary>
    /// For in-process callers: sends a chat request and returns a whole answer, accumulating a stream
    /// (<see cref="ChatResult.Completed"/> or <see cref="ChatResult.Failed"/>, never a stream), then completes the
    /// request (usage records are written as for an HTTP request). Cancellation throws.
    /// </summary>
    public async ValueTask<ChatResult> CompleteChatAsync(GatewayContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Operation != GatewayOperations.Chat)
        {
            throw new ArgumentException("Not a chat request.", nameof(context));
        }

        try
        {
            var result = (ChatResult)await InvokeAsync(context, cancellationToken);
            if (result is not ChatResult.Streaming streaming)
            {
                return result;
            }

            try
            {
                return new ChatResult.Completed(await ChatStreams.AccumulateAsync(streaming.Chunks, cancellationToken));
            }
            catch (ChatStreamException ex)
            {
                context.Error ??= ex.Error;
                return ChatResult.From(ex.Error);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            context.Aborted = true;
            throw;
        }
        finally
        {
            await context.CompleteAsync();
        }
    }

    private static async ValueTask<GatewayResult> AwaitAsync(ValueTask<GatewayResult> pending, GatewayContext context) =>
        Finish(context, await pending);

    private static GatewayResult Finish(GatewayContext context, GatewayResult result)
    {
        if (result.Error is { } error)
        {
            context.Error = error;
            return result;
        }

        if (result is not ChatResult.Streaming streaming || !context.HasCompletionCallbacks)
        {
            return result;
        }

        if (streaming.Chunks is IRequestCompletingStream own)
        {
            // The router's stream, unwrapped by any stage: it completes the request itself.
            own.CompleteRequest();
            return result;
        }

        return new ChatResult.Streaming(new CompletingStream(streaming.Chunks, context));
    }

    private static GatewayDelegate Compose(IReadOnlyList<IGatewayStage> stages, GatewayOperations operation, GatewayDelegate terminal, bool stageSpans)
    {
        var next = terminal;
        for (var i = stages.Count - 1; i >= 0; i--)
        {
            var stage = stages[i];
            if ((stage.Operations & operation) == 0)
            {
                continue;
            }

            var inner = next;
            // With telemetry off this branch is not composed at all; on, a stage pays for a span only while a
            // listener samples the request (StartActivity returns null otherwise).
            next = stageSpans && stage is not TelemetryStage
                ? StageSpan.Wrap(stage, inner)
                : (context, cancellationToken) => stage.InvokeAsync(context, inner, cancellationToken);
        }

        return next;
    }
}
