namespace Switchboard.Conversations.Storage;

/// <summary>A conversation as last read or written: its row and its stored turns, oldest first. Immutable.</summary>
public sealed record ConversationState(ConversationHeader Header, IReadOnlyList<StoredTurn> Turns);
