namespace Switchboard.Conversations.Storage;

/// <summary>What a message changes besides adding turns: the running summary and the model that answered.</summary>
/// <param name="Summary">The summary after this message (null: none).</param>
/// <param name="SummaryThrough">The newest turn the summary covers.</param>
/// <param name="Model">The model of the reply; null leaves it.</param>
public sealed record ConversationChange(string? Summary, long SummaryThrough, string? Model);
