using System.Buffers;
using System.Diagnostics.CodeAnalysis;
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
    // Set for a body of the plain shape read by one scan: the request itself is then parsed only if something asks.
    private readonly ChatBodyScan? _scan;
    private ChatCompletionRequest? _request;
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
        _request = request;
        _body = body;
        _utf8Body = utf8Body;
        _headers = headers;
        _headerSource = headerSource;
        Model = request.Model ?? string.Empty;
    }

    private MockRequest(ChatBodyScan scan, ReadOnlyMemory<byte> utf8Body, IEnumerable<KeyValuePair<string, string>>? headerSource)
    {
        _scan = scan;
        _utf8Body = utf8Body;
        _headers = headerSource is null ? NoHeaders : null;
        _headerSource = headerSource;
        Model = scan.Model;
    }

    /// <summary>The request as parsed (for a request made by <see cref="TryCreate"/>, parsed from its bytes on first use).</summary>
    public ChatCompletionRequest Request => _request ??= JsonSerializer.Deserialize(_utf8Body.Span, OpenAIJsonContext.Default.ChatCompletionRequest)!;

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
                if (IsScannedOnly)
                {
                    _history = ScannedHistory();
                }
                else
                {
                    var lastUser = LastUser;
                    _history = ConversationHistory.TryExtract(lastUser?.Text)
                        ?? (Request.Messages ?? []).Where(m => m is not null && m != lastUser).Select(m => ConversationHistory.TryExtract(m.Text)).FirstOrDefault(h => h is not null);
                }

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
    public bool IsStreaming => _scan?.Stream ?? Request.IsStreaming;

    /// <summary>Whether a stream should end with a usage chunk (a scanned body has no <c>stream_options</c>).</summary>
    internal bool WantsStreamUsage => _scan is null && Request.IncludesStreamUsage;

    /// <summary>How many choices to answer with (<c>n</c>; a scanned body has none).</summary>
    internal int ChoiceCount => _scan is null ? Math.Max(1, Request.N ?? 1) : 1;

    internal string ConversationKey => _conversationKey ??= string.Join(ConversationHistory.KeyTurnSeparator, Messages.Select(m => m.Role + ConversationHistory.KeySpeakerSeparator + m.Text));

    /// <summary><c>ConversationHistory.ToKey(History)</c>, null without a history; for a scanned body, written straight from the block's text.</summary>
    internal string? HistoryKey
    {
        get
        {
            if (!_historyKeyFound)
            {
                if (IsScannedOnly)
                {
                    FindScannedHistoryKey<int>(null, out _);
                }
                else
                {
                    _historyKey = History is { } history ? ConversationHistory.ToKey(history) : null;
                    _historyKeyFound = true;
                }
            }

            return _historyKey;
        }
    }

    // A body read by the scan and not parsed (yet): its views are read from the bytes.
    private bool IsScannedOnly => _scan is not null && _request is null;

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

    /// <summary>
    /// Prepares a request straight from the bytes received when the body is of the plainest shape — only
    /// <c>model</c>, <c>messages</c> with a string <c>role</c> (system, developer, user, assistant) and a string
    /// <c>content</c>, <c>stream</c>, and <c>temperature</c>, <c>top_p</c>, <c>max_tokens</c> or
    /// <c>max_completion_tokens</c> as plain numbers — and valid as the full reader and <c>ChatRequestValidator</c> check it:
    /// one scan, with no string decoded until a view needs it. Null for any other body: parse and validate it, then
    /// use <see cref="Create(ChatCompletionRequest, ReadOnlyMemory{byte}, IEnumerable{KeyValuePair{string, string}}?)"/>.
    /// Both ways give the same views, matches and answers. <paramref name="headers"/> is enumerated on first use of
    /// <see cref="Headers"/>, so it must stay readable while the request is handled.
    /// </summary>
    public static MockRequest? TryCreate(ReadOnlyMemory<byte> utf8Body, IEnumerable<KeyValuePair<string, string>>? headers = null) =>
        ChatBodyScan.TryScan(utf8Body.Span) is { } scan ? new MockRequest(scan, utf8Body, headers) : null;

    /// <summary>
    /// Looks <see cref="HistoryKey"/> up in an index of history keys. For a scanned body the key is written from the
    /// block's text into a pooled buffer and looked up as it is: no string is made when the index holds it (the index's
    /// own string becomes <see cref="HistoryKey"/>), and no turn is made at all.
    /// </summary>
    internal bool TryGetByHistoryKey<TValue>(Dictionary<string, TValue>.AlternateLookup<ReadOnlySpan<char>> index, [MaybeNullWhen(false)] out TValue value)
    {
        if (!_historyKeyFound && IsScannedOnly)
        {
            return FindScannedHistoryKey(index, out value);
        }

        value = default;
        return HistoryKey is { } key && index.Dictionary.TryGetValue(key, out value);
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

    // The history block found as the parsed request's view finds it (the last user message, then the others in
    // order), from each message's bytes in the body: unescaped and decoded into pooled buffers, not into strings.
    private List<HistoryTurn>? ScannedHistory()
    {
        var length = ScannedBlock(out var chars, out var start);
        if (length < 0)
        {
            return null;
        }

        try
        {
            return ConversationHistory.Parse(chars.AsSpan(start, length));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    // The history key of a scanned body, written from its block and looked up in `index` when one is given: the index's
    // string when it holds the key (then true), else a string of the key's own. Sets HistoryKey (and History when there is
    // no block).
    private bool FindScannedHistoryKey<TValue>(Dictionary<string, TValue>.AlternateLookup<ReadOnlySpan<char>>? index, [MaybeNullWhen(false)] out TValue value)
    {
        value = default;
        var length = ScannedBlock(out var chars, out var start);
        if (length < 0)
        {
            _history = null;
            _historyFound = true;
            _historyKey = null;
            _historyKeyFound = true;
            return false;
        }

        var buffer = ArrayPool<char>.Shared.Rent(length + 1);
        try
        {
            var key = buffer.AsSpan(0, ConversationHistory.WriteKey(chars.AsSpan(start, length), buffer));
            var found = false;
            string? actual = null;
            if (index is { } lookup)
            {
                found = lookup.TryGetValue(key, out actual, out value);
            }

            _historyKey = found ? actual : new string(key);
            _historyKeyFound = true;
            return found;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    // The history block of a scanned body: its length, or -1; its text is chars[start..][..length] (rented here, given
    // back by the caller when there is a block).
    private int ScannedBlock(out char[] chars, out int start)
    {
        var messages = _scan!.Messages;
        var lastUser = -1;
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i].Role == ChatRoles.User)
            {
                lastUser = i;
                break;
            }
        }

        if (lastUser >= 0 && BlockOf(messages[lastUser], out chars, out start) is var length and >= 0)
        {
            return length;
        }

        for (var i = 0; i < messages.Count; i++)
        {
            if (i != lastUser && BlockOf(messages[i], out chars, out start) is var other and >= 0)
            {
                return other;
            }
        }

        chars = [];
        start = 0;
        return -1;
    }

    // One message's history block, decoded into a rented array (given back here when it has none).
    private int BlockOf(ChatBodyScan.ScannedMessage message, out char[] chars, out int start)
    {
        var raw = _utf8Body.Span.Slice(message.Start, message.Length);
        chars = ArrayPool<char>.Shared.Rent(raw.Length + 1);
        int length;
        if (!message.UnicodeEscaped)
        {
            // Only the heading lines and the block are unescaped and decoded (see TryExtractEscaped).
            start = 0;
            length = ConversationHistory.DecodeEscapedBlock(raw, chars);
        }
        else
        {
            var unescaped = ArrayPool<byte>.Shared.Rent(raw.Length);
            try
            {
                var count = Encoding.UTF8.GetChars(unescaped.AsSpan(0, ChatBodyScan.Unescape(raw, unescaped)), chars);
                length = ConversationHistory.FindBlock(chars.AsSpan(0, count), out start);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(unescaped);
            }
        }

        if (length < 0)
        {
            ArrayPool<char>.Shared.Return(chars);
        }

        return length;
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
