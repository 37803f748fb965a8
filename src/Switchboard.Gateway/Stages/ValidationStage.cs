using Switchboard.Pipeline;
using Switchboard.Validation;

namespace Switchboard.Gateway.Stages;

/// <summary>Answers a request that breaks the OpenAI API's rules with a 400 naming the parameter, before any upstream sees it.</summary>
public sealed class ValidationStage : IChatStage
{
    public string Name => "validation";

    public ValueTask<ChatResult> InvokeAsync(ChatContext context, ChatStageDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        return ChatRequestValidator.Validate(context.Request) is { } error
            ? ValueTask.FromResult(ChatResult.From(error))
            : next(context, cancellationToken);
    }
}
