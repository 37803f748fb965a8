using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Conversations.Http;

/// <summary>Source-generated JSON for the conversations endpoints.</summary>
[JsonSerializable(typeof(ChatRequestBody))]
[JsonSerializable(typeof(SystemPromptBody))]
[JsonSerializable(typeof(ChatResponseBody))]
[JsonSerializable(typeof(ChatDeltaEvent))]
[JsonSerializable(typeof(ContextResponseBody))]
[JsonSerializable(typeof(DeletedResponseBody))]
[JsonSerializable(typeof(ConversationListBody))]
internal sealed partial class ConversationsJsonContext : JsonSerializerContext
{
    /// <summary>For what clients read: chat text (accents, emoji, quotes) written as itself, not as <c>\u00FC</c> escapes. Never for HTML.</summary>
    public static ConversationsJsonContext Relaxed => RelaxedContext.Value;

    // Lazy: the generated Default is initialized in another part of this class, in an order C# does not fix.
    private static readonly Lazy<ConversationsJsonContext> RelaxedContext = new(() => new ConversationsJsonContext(
        new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
}
