namespace Switchboard.Conversations.Storage;

/// <summary>A conversation's row without its turns: enough to tell whether a cached copy is current.</summary>
public sealed record ConversationHeader(
    long Id,
    string Partition,
    string Name,
    string? SystemPrompt,
    string? Summary,
    long SummaryThrough,
    long LastSeq,
    int TurnCount,
    long Revision,
    string? Model,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastActiveAt);
