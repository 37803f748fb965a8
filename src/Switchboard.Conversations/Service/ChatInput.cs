using Switchboard.Conversations.Configuration;
using Switchboard.Identity;

namespace Switchboard.Conversations.Service;

/// <summary>One message to a conversation, already checked.</summary>
/// <param name="Conversation">The conversation id, as the client knows it (within <see cref="Partition"/>).</param>
/// <param name="Username">Who wrote it.</param>
/// <param name="Message">What they wrote, verbatim.</param>
/// <param name="Emotes">The emote names in the message.</param>
/// <param name="Model">The model to answer with; null: the conversation service's.</param>
/// <param name="SystemPrompt">An instruction for this message only, after the service's and the conversation's.</param>
/// <param name="MaxTokens">The reply's max_tokens; null: <c>conversations.max_tokens</c>.</param>
public sealed record ChatInput(
    string Conversation,
    string Username,
    string Message,
    IReadOnlyList<string> Emotes,
    string? Model,
    string? SystemPrompt,
    int? MaxTokens)
{
    /// <summary>The partition the conversation is in; the shared one unless keys put the caller in another.</summary>
    public string Partition { get; init; } = ConversationPartitions.Shared;

    /// <summary>
    /// The authenticated caller (null without keys): the model calls carry it, so the pipeline's auth stage does not
    /// verify the key a second time, and limits and usage records see the key as for any request.
    /// </summary>
    public CallerIdentity? Caller { get; init; }
}
