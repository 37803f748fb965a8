using Switchboard.OpenAI;

namespace Switchboard.Tokens;

/// <summary>Counts tokens the way the OpenAI models do, for usage numbers and token budgets.</summary>
public interface ITokenCounter
{
    int CountTokens(string text);

    /// <summary>The tokens of a text; a long count observes <paramref name="cancellationToken"/>.</summary>
    int CountTokens(string text, CancellationToken cancellationToken);

    /// <summary>Tokens of a chat prompt, including the few tokens each message's framing costs.</summary>
    int CountPromptTokens(IReadOnlyList<ChatMessage> messages);

    /// <inheritdoc cref="CountPromptTokens(IReadOnlyList{ChatMessage})"/>
    int CountPromptTokens(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken);
}
