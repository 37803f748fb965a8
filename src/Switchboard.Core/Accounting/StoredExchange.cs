namespace Switchboard.Accounting;

/// <summary>
/// A request's messages and the answer's text, kept (encrypted) only with <c>database.store_messages: true</c>.
/// Held in plain text only in memory on its way to the writer, which encrypts it before it touches a disk.
/// </summary>
public sealed record StoredExchange
{
    /// <summary>The request's <c>messages</c> array as JSON.</summary>
    public required string MessagesJson { get; init; }

    /// <summary>The answer's text (every choice's content, streamed or whole), null when there was none.</summary>
    public string? Answer { get; init; }
}
