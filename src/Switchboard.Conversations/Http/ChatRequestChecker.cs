using Switchboard.Conversations.Configuration;
using Switchboard.Conversations.Service;
using Switchboard.Errors;

namespace Switchboard.Conversations.Http;

/// <summary>Checks what a client sent before anything is locked, read or stored; every refusal names the field.</summary>
internal static class ChatRequestChecker
{
    public const int MaxUsernameChars = 64;
    public const int MaxConversationChars = 128;
    public const int MaxEmoteChars = 64;
    public const int MaxEmotes = 100;

    public static (ChatInput? Input, GatewayError? Error) Check(ChatRequestBody body, ConversationsOptions options)
    {
        if (body.Unknown is { Count: > 0 } unknown)
        {
            return Fail(ConversationErrors.Unknown(unknown.Keys.Order(StringComparer.Ordinal).First()));
        }

        if (CheckUsername(body.Username) is { } usernameError)
        {
            return Fail(usernameError);
        }

        if (body.Message is null)
        {
            return Fail(ConversationErrors.Missing("message"));
        }

        if (string.IsNullOrWhiteSpace(body.Message))
        {
            return Fail(ConversationErrors.Invalid("message", "'message' must not be empty or white space."));
        }

        if (body.Message.Length > options.MaxMessageChars)
        {
            return Fail(ConversationErrors.TooLong("message", options.MaxMessageChars));
        }

        var conversation = body.Conversation ?? ConversationsOptions.DefaultConversation;
        if (CheckConversation(conversation) is { } conversationError)
        {
            return Fail(conversationError);
        }

        var emotes = body.Emotes ?? [];
        if (emotes.Count > MaxEmotes)
        {
            return Fail(ConversationErrors.Invalid("emotes", $"'emotes' may name at most {MaxEmotes} emotes."));
        }

        for (var i = 0; i < emotes.Count; i++)
        {
            var emote = emotes[i];
            if (string.IsNullOrEmpty(emote) || emote.Length > MaxEmoteChars || emote.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == ':'))
            {
                return Fail(ConversationErrors.Invalid($"emotes[{i}]", $"An emote is a name of 1 to {MaxEmoteChars} characters without spaces or colons."));
            }
        }

        if (body.Model is { } model && string.IsNullOrWhiteSpace(model))
        {
            return Fail(ConversationErrors.Invalid("model", "'model' must not be empty; leave it out for the service's model."));
        }

        if (body.SystemPrompt is { } prompt && prompt.Length > options.MaxSystemPromptChars)
        {
            return Fail(ConversationErrors.TooLong("system_prompt", options.MaxSystemPromptChars));
        }

        if (body.MaxTokens is <= 0)
        {
            return Fail(ConversationErrors.Invalid("max_tokens", "'max_tokens' must be at least 1."));
        }

        return (new ChatInput(conversation, body.Username!, body.Message, [.. emotes.Distinct(StringComparer.Ordinal)], body.Model, body.SystemPrompt, body.MaxTokens), null);
    }

    /// <summary>A conversation id: 1 to 128 characters, no white space or control characters.</summary>
    public static GatewayError? CheckConversation(string conversation)
    {
        if (conversation.Length == 0 || conversation.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return ConversationErrors.Invalid("conversation", "'conversation' must be an id of 1 to 128 characters without spaces.");
        }

        return conversation.Length > MaxConversationChars ? ConversationErrors.TooLong("conversation", MaxConversationChars) : null;
    }

    private static GatewayError? CheckUsername(string? username)
    {
        if (username is null)
        {
            return ConversationErrors.Missing("username");
        }

        if (string.IsNullOrWhiteSpace(username))
        {
            return ConversationErrors.Invalid("username", "'username' must not be empty or white space.");
        }

        if (username.Length > MaxUsernameChars)
        {
            return ConversationErrors.TooLong("username", MaxUsernameChars);
        }

        // The model reads 'username: message'; a colon or a line break in a name would let a user speak for someone else.
        return username.Any(c => char.IsControl(c) || c == ':') || username != username.Trim()
            ? ConversationErrors.Invalid("username", "'username' must not contain colons, line breaks or leading and trailing spaces.")
            : null;
    }

    private static (ChatInput?, GatewayError?) Fail(GatewayError error) => (null, error);
}
