namespace Switchboard.Compression;

/// <summary>The text of one message of a prompt.</summary>
/// <param name="Role">The message's role; <c>tool</c> messages (tool results) are never changed.</param>
/// <param name="Text">The message's text.</param>
public sealed record PromptPart(string Role, string Text);
