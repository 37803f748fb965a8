namespace Switchboard.Pipeline;

/// <summary>An ordered list of stages in front of a terminal step, composed once and reused for every request.</summary>
public sealed class ChatPipeline
{
    private readonly ChatStageDelegate _entry;

    public ChatPipeline(IEnumerable<IChatStage> stages, ChatStageDelegate terminal)
    {
        ArgumentNullException.ThrowIfNull(stages);
        ArgumentNullException.ThrowIfNull(terminal);
        Stages = [.. stages];

        var next = terminal;
        for (var i = Stages.Count - 1; i >= 0; i--)
        {
            var stage = Stages[i];
            var inner = next;
            next = (context, cancellationToken) => stage.InvokeAsync(context, inner, cancellationToken);
        }

        _entry = next;
    }

    /// <summary>The stages in the order a request meets them.</summary>
    public IReadOnlyList<IChatStage> Stages { get; }

    public ValueTask<ChatResult> InvokeAsync(ChatContext context, CancellationToken cancellationToken) => _entry(context, cancellationToken);
}
