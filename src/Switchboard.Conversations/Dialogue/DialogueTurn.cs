namespace Switchboard.Conversations.Dialogue;

/// <summary>One message of a stored dialogue, exactly as it was said.</summary>
/// <param name="Role"><c>user</c> or <c>assistant</c>.</param>
/// <param name="Speaker">Who said it: the username for a user turn, the model for an assistant turn.</param>
/// <param name="Text">The message verbatim (emotes as the user wrote them; the cleaned reply).</param>
/// <param name="At">When it was said.</param>
/// <param name="Emotes">The emote names the message carries, so the model can be shown them as emotes.</param>
public sealed record DialogueTurn(string Role, string Speaker, string Text, DateTimeOffset At, IReadOnlyList<string> Emotes)
{
    /// <summary>
    /// The tokens of the turn as the model is shown it (attribution and emote markup included), counted when it was
    /// stored, so a window over a long history is not counted again for every message; null: count when needed.
    /// </summary>
    public int? Tokens { get; init; }

    /// <summary>The role of a participant's message.</summary>
    public const string UserRole = "user";

    /// <summary>The role of the model's reply.</summary>
    public const string AssistantRole = "assistant";
}
