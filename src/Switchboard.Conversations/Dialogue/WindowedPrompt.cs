using Switchboard.OpenAI;

namespace Switchboard.Conversations.Dialogue;

/// <summary>The messages sent to the model for one turn, and what the window left out.</summary>
/// <param name="Messages">System prompt (and summary), then the newest turns that fit, oldest first, ending with the new message.</param>
/// <param name="PromptTokens">Tokens of <paramref name="Messages"/>, framing included.</param>
/// <param name="IncludedTurns">How many stored turns (the new message included) are in the prompt.</param>
/// <param name="DroppedTurns">How many of the oldest turns did not fit.</param>
public sealed record WindowedPrompt(IReadOnlyList<ChatMessage> Messages, int PromptTokens, int IncludedTurns, int DroppedTurns);
