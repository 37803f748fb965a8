using System.Text;
using System.Text.Json;
using Switchboard.Mock.Text;
using Switchboard.OpenAI;

namespace Switchboard.Mock.Matching;

/// <summary>
/// A chat request prepared for matching: parsed once into the views matchers look at (last user message,
/// conversation, Conversation History block, model, system prompt, tools, JSON body, headers), all with
/// white space normalized, so that formatting, key order and escaping never decide a match.
/// </summary>
public sealed class MockRequest
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    private readonly Lazy<string> _conversationKey;
    private readonly Lazy<string?> _historyKey;
    private readonly Lazy<string> _promptText;

    private MockRequest(ChatCompletionRequest request, JsonElement body, IReadOnlyDictionary<string, string> headers)
    {
        Request = request;
        Body = body;
        Headers = headers;
        Model = request.Model ?? string.Empty;
        var messages = request.Messages ?? [];
        Messages = [.. messages.Where(m => m is not null).Select(ToRequestMessage)];
        var lastUser = messages.LastOrDefault(m => m?.Role == ChatRoles.User);
        LastUserMessage = TextNormalizer.Normalize(lastUser?.Text);
        SystemPrompt = TextNormalizer.Normalize(string.Join('\n', messages.Where(m => m?.Role is ChatRoles.System or ChatRoles.Developer).Select(m => m.Text)));
        History = ConversationHistory.TryExtract(lastUser?.Text)
            ?? messages.Where(m => m is not null && m != lastUser).Select(m => ConversationHistory.TryExtract(m.Text)).FirstOrDefault(h => h is not null);
        ToolNames = new HashSet<string>(
            (request.Tools ?? []).Select(t => t?.Function?.Name).Where(n => !string.IsNullOrEmpty(n)).Select(n => n!),
            StringComparer.Ordinal);
        _conversationKey = new(() => string.Join('\u001E', Messages.Select(m => m.Role + '\u001F' + m.Text)));
        _historyKey = new(() => History is null ? null : ConversationHistory.ToKey(History));
        _promptText = new(() => TextNormalizer.Normalize(string.Join('\n', Messages.Select(m => m.Text))));
    }

    /// <summary>The request as parsed.</summary>
    public ChatCompletionRequest Request { get; }

    /// <summary>The JSON body, for <c>json:</c> path matchers.</summary>
    public JsonElement Body { get; }

    /// <summary>Request headers, names compared without case.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    public string Model { get; }

    public IReadOnlyList<RequestMessage> Messages { get; }

    /// <summary>The text of the last <c>user</c> message, normalized; empty when there is none.</summary>
    public string LastUserMessage { get; }

    /// <summary>The <c>system</c> and <c>developer</c> messages joined, normalized.</summary>
    public string SystemPrompt { get; }

    /// <summary>The Conversation History block of the last user message (or another message), when there is one.</summary>
    public IReadOnlyList<HistoryTurn>? History { get; }

    /// <summary>The function names in <c>tools[]</c>.</summary>
    public IReadOnlySet<string> ToolNames { get; }

    /// <summary>Every message's text joined, normalized.</summary>
    public string PromptText => _promptText.Value;

    /// <summary>Whether the client asked for server-sent events.</summary>
    public bool IsStreaming => Request.IsStreaming;

    internal string ConversationKey => _conversationKey.Value;

    internal string? HistoryKey => _historyKey.Value;

    /// <summary>Prepares a request. Without <paramref name="body"/> the request is serialized to get one.</summary>
    public static MockRequest Create(ChatCompletionRequest request, JsonElement? body = null, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var json = body ?? JsonSerializer.SerializeToElement(request, OpenAIJsonContext.Default.ChatCompletionRequest);
        IReadOnlyDictionary<string, string> headerMap = NoHeaders;
        if (headers is not null)
        {
            var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, value) in headers)
            {
                map[name] = value;
            }

            headerMap = map;
        }

        return new MockRequest(request, json, headerMap);
    }

    /// <summary>A one-line summary for logs and miss messages.</summary>
    public string Summarize()
    {
        var builder = new StringBuilder();
        builder.Append("model '").Append(Model).Append('\'');
        if (History is { } history)
        {
            builder.Append(", history of ").Append(history.Count).Append(" turns");
            if (history.Count > 0)
            {
                builder.Append(" ending '").Append(TextNormalizer.Shorten(history[^1].ToString(), 60)).Append('\'');
            }
        }
        else
        {
            builder.Append(", ").Append(Messages.Count).Append(" messages, last user message '").Append(TextNormalizer.Shorten(LastUserMessage, 60)).Append('\'');
        }

        return builder.ToString();
    }

    private static RequestMessage ToRequestMessage(ChatMessage message)
    {
        var text = message.Text;
        if (message.ToolCalls is { Count: > 0 } calls)
        {
            text += " " + string.Join(' ', calls.Select(c => $"{c.Function?.Name}({JsonCanonical.CanonicalizeText(c.Function?.Arguments)})"));
        }

        return new RequestMessage(message.Role ?? string.Empty, TextNormalizer.Normalize(text));
    }
}
