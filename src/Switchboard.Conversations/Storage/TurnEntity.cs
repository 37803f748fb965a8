namespace Switchboard.Conversations.Storage;

/// <summary>A row of <c>conversation_turns</c>: one message or reply, verbatim.</summary>
public sealed class TurnEntity
{
    public long ConversationId { get; set; }

    /// <summary>The turn's number in its conversation, from 1.</summary>
    public long Seq { get; set; }

    /// <summary><c>user</c> or <c>assistant</c>.</summary>
    public required string Role { get; set; }

    /// <summary>The username, or the bot's name for a reply.</summary>
    public required string Speaker { get; set; }

    public required string Text { get; set; }

    /// <summary>The message's emote names, separated by spaces (names have none); null for none.</summary>
    public string? Emotes { get; set; }

    /// <summary>Tokens of the turn as the model is shown it, counted when it was stored.</summary>
    public int Tokens { get; set; }

    public DateTime At { get; set; }
}
