namespace Switchboard.Conversations.Service;

/// <summary>The answer to a message.</summary>
/// <param name="Conversation">The conversation id.</param>
/// <param name="Reply">The cleaned reply, as stored.</param>
/// <param name="Model">The model that answered (its public name).</param>
/// <param name="TokensUsed">Prompt and reply tokens of the model call (the upstream's count when it gave one).</param>
/// <param name="PromptTokens">The prompt's part of <paramref name="TokensUsed"/>.</param>
/// <param name="CompletionTokens">The reply's part of <paramref name="TokensUsed"/>.</param>
/// <param name="ResponseTimeMs">From the message's arrival to the end of the reply.</param>
/// <param name="Topics">The dialogue's recent topics, most prominent first.</param>
public sealed record ChatReply(string Conversation, string Reply, string Model, int TokensUsed, int PromptTokens, int CompletionTokens, double ResponseTimeMs, IReadOnlyList<string> Topics);
