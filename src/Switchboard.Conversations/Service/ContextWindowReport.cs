namespace Switchboard.Conversations.Service;

/// <summary>How a conversation stands against its model's window, for <c>GET /context</c>.</summary>
/// <param name="Model">The model the next message goes to unless it names one.</param>
/// <param name="ContextWindow">That model's context window in tokens.</param>
/// <param name="Budget">What the prompt may use: the window less the reply's max_tokens.</param>
/// <param name="Tokens">What the prompt takes now (system prompts, summary and the turns that fit).</param>
/// <param name="TurnsInWindow">How many of the newest turns fit.</param>
/// <param name="Topics">The recent topics.</param>
/// <param name="SystemPrompt">The combined system prompt (the service's and the conversation's).</param>
public sealed record ContextWindowReport(string Model, int ContextWindow, int Budget, int Tokens, int TurnsInWindow, IReadOnlyList<string> Topics, string SystemPrompt);
