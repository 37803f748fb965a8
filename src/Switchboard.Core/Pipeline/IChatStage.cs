namespace Switchboard.Pipeline;

/// <summary>Calls the rest of the pipeline.</summary>
public delegate ValueTask<ChatResult> ChatStageDelegate(ChatContext context, CancellationToken cancellationToken);

/// <summary>
/// One step of the chat pipeline (auth, limits, validation, cache, routing, ...). A stage does one job:
/// it may change the context, call <c>next</c>, look at or wrap what comes back, or answer by itself
/// without calling <c>next</c> (a cache hit, a 429).
/// </summary>
public interface IChatStage
{
    /// <summary>A short name for logs and for the list of stages shown at start-up.</summary>
    string Name { get; }

    ValueTask<ChatResult> InvokeAsync(ChatContext context, ChatStageDelegate next, CancellationToken cancellationToken);
}
