using Switchboard.Conversations.Dialogue;

namespace Switchboard.Conversations.Storage;

/// <summary>A turn as stored: its number in the conversation and what was said.</summary>
public sealed record StoredTurn(long Seq, DialogueTurn Turn);
