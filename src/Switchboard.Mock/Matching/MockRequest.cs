using System.Text;
using System.Text.Json;
using Switchboard.Mock.Text;
using Switchboard.OpenAI;

namespace Switchboard.Mock.Matching;

/// <summary>
/// A chat request prepared for matching: the views matchers look at (last user message, conversation,
/// Conversation History block, model, system prompt, tools, JSON body, headers), all with white space
/// normalized, so that formatting, key order and escaping never decide a match. Each view is computed the
/// first time something asks for it: a request that an exact history finds never normalizes its 7 KB
/// prompt, and one that no <c>json:</c> matcher looks at is never parsed into a document.
/// </summary>
public sealed class MockRequest
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    // Each view is computed once, on first use. The computations are pure, so two threads racing on one
    // (nothing does today: a request is matched by one flow) would only compute it twice.
    private readonly ReadOnlyMemory<byte> _utf8Body;
    private readonly IEnumerable<KeyValuePair<string, string>>? _headerSource;
    private JsonElement? _body;
    private IReadOnlyDictionary<string, string>? _headers;
    private IReadOnlyList<RequestMessage>? _messages;
    private ChatMessage? _lastUser;
    private bool _lastUserFound;
    private string? _lastUserMessage;
    private string? _systemPrompt;
    private IReadOnlyList<HistoryTurn>? _history;
    private bool _historyFound;
    private string? _historyKey;
    private bool _historyKeyFound;
    private IReadOnlySet<string>? _toolNames;
    private string? _conversationKey;
    private string? _promptText;

    private MockRequest(ChatCompletionRequest request, JsonElement? body, ReadOnlyMemory<byte> utf8Body, IReadOnlyDictionary<string, string>? headers, IEnumerable<KeyValuePair<string, string>>? headerSource)
    {
        Request = request;
        _body = body;
        _utf8Body = utf8Body;
        _headers = headers;
        _headerSource = headerSource;
        Model = request.Model ?? string.Empty;
    }

    /// <summary>The request as parsed.</summary>
    public ChatCompletionRequest Request { get; }

    /// <summary>The JSON body, for <c>json:</c> path matchers (parsed from the bytes received on first use).</summary>
    public JsonElement Body => _body ??= ParseBody();

    /// <summary>Request headers, names compared without case.</summary>
    public IReadOnlyDictionary<string, string> Headers => _headers ??= ToMap(_headerSource);

    public string Model { get; }

    public IReadOnlyList<RequestMessage> Messages => _messages ??= [.. (Request.Messages ?? []).Where(m => m is not null).Select(ToRequestMessage)];

    /// <summary>The text of the last <c>user</c> message, normalized; empty when there is none.</summary>
    public string LastUserMessage => _lastUserMessage ??= TextNormalizer.Normalize(LastUser?.Text);

    /// <summary>The <c>system</c> and <c>developer</c> messages joined, normalized.</summary>
    public string SystemPrompt => _systemPrompt ??= TextNormalizer.Normalize(string.Join('\n', (Request.Messages ?? []).Where(m => m?.Role is ChatRoles.System or ChatRoles.Developer).Select(m => m.Text)));

    /// <summary>The Conversation History block of the last user message (or another message), when there is one.</summary>
    public IReadOnlyList<HistoryTurn>? History
    {
        get
        {
            if (!_historyFound)
            {
                var lastUser = LastUser;
                _history = ConversationHistory.TryExtract(lastUser?.Text)
                    ?? (Request.Messages ?? []).Where(m => m is not null && m != lastUser).Select(m => ConversationHistory.TryExtract(m.Text)).FirstOrDefault(h => h is not null);
                _historyFound = true;
            }

            return _history;
        }
    }

    /// <summary>The function names in <c>tools[]</c>.</summary>
    public IReadOnlySet<string> ToolNames => _toolNames ??= new HashSet<string>(
        (Request.Tools ?? []).Select(t => t?.Function?.Name).Where(n => !string.IsNullOrEmpty(n)).Select(n => n!),
        StringComparer.Ordinal);

    /// <summary>Every message's text joined, normalized.</summary>
    public string PromptText => _promptText ??= TextNormalizer.Normalize(string.Join('\n', Messages.Select(m => m.Text)));

    /// <summary>Whether the client asked for server-sent events.</summary>
    public bool IsStreaming => Request.IsStreaming;

    internal string ConversationKey => _conversationKey ??= string.Join('\u001E', Messages.Select(m => m.Role + '\u001F' + m.Text));

    internal string? HistoryKey
    {
        get
        {
            if (!_historyKeyFound)
            {
                _historyKey = History is { } history ? ConversationHistory.ToKey(history) : null;
                _historyKeyFound = true;
            }

            return _historyKey;
        }
    }

    private ChatMessage? LastUser
    {
        get
        {
            if (!_lastUserFound)
            {
                _lastUser = (Request.Messages ?? []).LastOrDefault(m => m?.Role == ChatRoles.User);
                _lastUserFound = true;
            }

            return _lastUser;
        }
    }

    /// <summary>Prepares a request. Without <paramref name="body"/> the request is serialized to get one.</summary>
    public static MockRequest Create(ChatCompletionRequest request, JsonElement? body = null, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var json = body ?? JsonSerializer.SerializeToElement(request, OpenAIJsonContext.Default.ChatCompletionRequest);
        return new MockRequest(request, json, default, headers is null ? NoHeaders : ToMap(headers), null);
    }

    /// <summary>
    /// Prepares a request received as <paramref name="utf8Body"/>, which is parsed into <see cref="Body"/> only if a
    /// matcher asks for it. <paramref name="headers"/> is enumerated on first use of <see cref="Headers"/>, so it must
    /// stay readable while the request is handled.
    /// </summary>
    public static MockRequest Create(ChatCompletionRequest request, ReadOnlyMemory<byte> utf8Body, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new MockRequest(request, null, utf8Body, headers is null ? NoHeaders : null, headers);
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

    private JsonElement ParseBody()
    {
        if (_utf8Body.IsEmpty)
        {
            return JsonSerializer.SerializeToElement(Request, OpenAIJsonContext.Default.ChatCompletionRequest);
        }

        using var document = JsonDocument.Parse(_utf8Body);
        return document.RootElement.Clone();
    }

    private static Dictionary<string, string> ToMap(IEnumerable<KeyValuePair<string, string>>? headers)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers ?? [])
        {
            map[name] = value;
        }

        return map;
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
