using System.Runtime.CompilerServices;
using System.Text.Json;
using Switchboard.Errors;
using Switchboard.Mock.Fixtures;
using Switchboard.Mock.Matching;
using Switchboard.OpenAI;
using Switchboard.Streaming;
using Switchboard.Tokens;

namespace Switchboard.Mock.Replies;

/// <summary>
/// Turns a fixture response into a reply: a completion with usage counted by a real tokenizer, a paced
/// chunk stream, an error, or a fault.
/// </summary>
public sealed class MockResponder(ITokenCounter tokens, TimeProvider time)
{
    /// <summary>
    /// The most characters of content and tool-call arguments one answer carries over all its choices: as much as
    /// the largest request body, so that <c>n</c> cannot turn a request into an answer a hundred times its size.
    /// </summary>
    public const long MaxAnswerChars = 16 * 1024 * 1024;

    /// <summary>
    /// The most content events one streamed answer is cut into, over all its choices; a longer answer is cut into
    /// pieces of more tokens than the fixture's <c>chunk_size</c>, so that no request makes a stream of millions
    /// of events.
    /// </summary>
    public const int MaxStreamPieces = 64 * 1024;

    private const string DefaultModel = "mock";

    // Keyed by the response object itself: a fixture set that is rebuilt (a reload, a fixture added) keeps the
    // responses it shares with the previous one, and entries go with the responses no set holds any more.
    private readonly ConditionalWeakTable<FixtureResponse, PreparedResponse> _prepared = new();

    public ITokenCounter Tokens { get; } = tokens ?? throw new ArgumentNullException(nameof(tokens));

    public TimeProvider Time { get; } = time ?? throw new ArgumentNullException(nameof(time));

    /// <summary>Builds the reply; waits the response's delay first.</summary>
    public async ValueTask<MockReply> ReplyAsync(FixtureResponse response, MockRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(request);
        if (response.Delay > TimeSpan.Zero)
        {
            await Task.Delay(response.Delay, Time, cancellationToken);
        }

        if (response.Fault.DropConnection)
        {
            return new MockReply.Dropped { Headers = response.Headers };
        }

        if (response.Error is { } error)
        {
            return new MockReply.Failure(ToGatewayError(error)) { Headers = response.Headers };
        }

        if (response.Body is { } body && (response.Status ?? 200) >= 400)
        {
            return new MockReply.Failure(ErrorFromSavedBody(body, response.Status!.Value)) { Headers = response.Headers };
        }

        var prepared = Prepare(response);
        var completion = BuildCompletion(response, prepared, request, cancellationToken);
        if (AnswerTooLarge(completion) is { } tooLarge)
        {
            return new MockReply.Failure(tooLarge);
        }

        if (request.IsStreaming)
        {
            var wantsUsage = request.WantsStreamUsage;
            return new MockReply.Stream(StreamAsync(completion, response, wantsUsage, CancellationToken.None))
            {
                Headers = response.Headers,
                Prepared = prepared.CanPrepareStream(completion) ? prepared.StreamBytes(wantsUsage) : default,
                BreaksOff = response.Fault.DropAfterChunks is not null,
            };
        }

        if (response.Fault.MalformedChunk is not null)
        {
            var json = JsonSerializer.Serialize(completion, OpenAIJsonContext.Relaxed.ChatCompletionResponse);
            return new MockReply.Malformed(json[..(json.Length / 2)]) { Headers = response.Headers };
        }

        return new MockReply.Completion(completion)
        {
            Headers = response.Headers,
            Json = ReferenceEquals(completion, prepared.Saved) ? prepared.SavedJson : default,
        };
    }

    /// <summary>The whole completion a response stands for: the saved body as saved, or one built from content and tool calls.</summary>
    public ChatCompletionResponse BuildCompletion(FixtureResponse response, MockRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(request);
        return BuildCompletion(response, Prepare(response), request, cancellationToken);
    }

    /// <summary>
    /// Works out once what <paramref name="response"/> answers whatever the request (its saved body read, the bytes
    /// it sends). The engine calls it when fixtures are loaded; answering calls it again and finds it done.
    /// </summary>
    internal PreparedResponse Prepare(FixtureResponse response) => _prepared.GetValue(response, static r => new PreparedResponse(r));

    private ChatCompletionResponse BuildCompletion(FixtureResponse response, PreparedResponse prepared, MockRequest request, CancellationToken cancellationToken)
    {
        if (response.Body is null)
        {
            return Build(response, request, cancellationToken);
        }

        if (prepared.Saved is { } saved)
        {
            return WithChoices(prepared.NeedsFreshId ? prepared.WithFreshId() : saved, ChoiceCount(request));
        }

        return Build(response with { Content = prepared.SavedText ?? PreparedResponse.TextOfSavedBody(response.Body.Value) }, request, cancellationToken);
    }

    /// <summary>The echo model: answers with the last user message.</summary>
    public ChatCompletionResponse Echo(MockRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var model = string.IsNullOrEmpty(request.Model) ? MockModels.Echo : request.Model;
        var text = request.Request.Messages?.LastOrDefault(m => m?.Role == ChatRoles.User)?.Text ?? string.Empty;
        return Build(new FixtureResponse { Content = text, Model = model }, request, cancellationToken);
    }

    /// <summary>The chunks of a completion, paced and with the response's faults.</summary>
    public async IAsyncEnumerable<MockStreamEvent> StreamAsync(
        ChatCompletionResponse completion,
        FixtureResponse response,
        bool includeUsage,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completion);
        ArgumentNullException.ThrowIfNull(response);
        var pace = response.Stream;
        if (pace.TimeToFirstToken > TimeSpan.Zero)
        {
            await Task.Delay(pace.TimeToFirstToken, Time, cancellationToken);
        }

        var sent = 0;
        foreach (var (chunk, chunkTokens) in BuildChunks(completion, pace.ChunkSize, includeUsage, cancellationToken))
        {
            if (sent > 0 && chunkTokens > 0 && pace.TokensPerSecond is > 0 and var tps)
            {
                await Task.Delay(TimeSpan.FromSeconds(chunkTokens / tps), Time, cancellationToken);
            }

            sent++;
            if (response.Fault.MalformedChunk == sent)
            {
                var json = JsonSerializer.Serialize(chunk, OpenAIJsonContext.Relaxed.ChatCompletionChunk);
                yield return new MockStreamEvent.Malformed(json[..(json.Length / 2)]);
            }
            else
            {
                yield return new MockStreamEvent.Chunk(chunk);
            }

            if (response.Fault.DropAfterChunks == sent)
            {
                yield return new MockStreamEvent.Drop();
                yield break;
            }
        }
    }

    /// <summary>
    /// The chunks OpenAI would send for a completion: a role chunk, content pieces, tool-call pieces, a finish
    /// chunk per choice, then a usage chunk when asked for. Each comes with the tokens it carries, for pacing.
    /// </summary>
    public static IEnumerable<(ChatCompletionChunk Chunk, int Tokens)> BuildChunks(ChatCompletionResponse completion, int tokensPerChunk, bool includeUsage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(completion);
        var texts = completion.Choices.Sum(c => 1 + (c.Message.ToolCalls?.Count ?? 0));
        var maxPieces = Math.Max(1, MaxStreamPieces / Math.Max(1, texts));
        // n choices of one answer share its text: cut it once.
        string? lastText = null;
        List<(string Text, int Tokens)> lastPieces = [];
        List<(string Text, int Tokens)> Split(string text)
        {
            if (!ReferenceEquals(text, lastText))
            {
                lastPieces = TokenSplitter.Split(text, tokensPerChunk, maxPieces, cancellationToken);
                lastText = text;
            }

            return lastPieces;
        }

        ChatCompletionChunk Make(ChunkChoice choice) => new()
        {
            Id = completion.Id,
            Created = completion.Created,
            Model = completion.Model,
            SystemFingerprint = completion.SystemFingerprint,
            Choices = [choice],
        };

        foreach (var choice in completion.Choices)
        {
            var message = choice.Message;
            var content = message.Content?.Text;
            yield return (Make(new ChunkChoice { Index = choice.Index, Delta = new ChatDelta { Role = ChatRoles.Assistant, Content = content is null ? null : string.Empty } }), 0);
            if (!string.IsNullOrEmpty(content))
            {
                foreach (var (piece, pieceTokens) in Split(content))
                {
                    yield return (Make(new ChunkChoice { Index = choice.Index, Delta = new ChatDelta { Content = piece } }), pieceTokens);
                }
            }

            var calls = message.ToolCalls ?? [];
            for (var i = 0; i < calls.Count; i++)
            {
                var call = calls[i];
                var head = new ToolCall { Index = i, Id = call.Id, Type = call.Type ?? "function", Function = new FunctionCall { Name = call.Function?.Name, Arguments = string.Empty } };
                yield return (Make(new ChunkChoice { Index = choice.Index, Delta = new ChatDelta { ToolCalls = [head] } }), 1);
                foreach (var (piece, pieceTokens) in Split(call.Function?.Arguments ?? string.Empty))
                {
                    var part = new ToolCall { Index = i, Function = new FunctionCall { Arguments = piece } };
                    yield return (Make(new ChunkChoice { Index = choice.Index, Delta = new ChatDelta { ToolCalls = [part] } }), pieceTokens);
                }
            }

            yield return (Make(new ChunkChoice { Index = choice.Index, Delta = new ChatDelta(), FinishReason = choice.FinishReason ?? "stop" }), 0);
        }

        if (includeUsage)
        {
            yield return (new ChatCompletionChunk
            {
                Id = completion.Id,
                Created = completion.Created,
                Model = completion.Model,
                SystemFingerprint = completion.SystemFingerprint,
                Choices = [],
                Usage = completion.Usage,
            }, 0);
        }
    }

    /// <summary>The gateway error a fixture's <c>error:</c> stands for.</summary>
    public static GatewayError ToGatewayError(FixtureError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new GatewayError
        {
            StatusCode = error.Status,
            Type = error.Type ?? DefaultErrorType(error.Status),
            Message = error.Message ?? DefaultErrorMessage(error.Status),
            Code = error.Code ?? (error.Status == 429 ? ErrorCodes.RateLimitExceeded : null),
            Param = error.Param,
            RetryAfter = error.RetryAfter,
        };
    }

    /// <summary>The 400 for an answer larger than <see cref="MaxAnswerChars"/>, naming <c>n</c> when the choices make it so.</summary>
    public static GatewayError? AnswerTooLarge(ChatCompletionResponse completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        long size = 0;
        // Indexed, not enumerated: no enumerator is made per answer.
        var all = completion.Choices;
        for (var i = 0; i < all.Count; i++)
        {
            var message = all[i].Message;
            size += message.Content?.Text.Length ?? 0;
            var calls = message.ToolCalls ?? [];
            for (var j = 0; j < calls.Count; j++)
            {
                size += (calls[j].Function?.Arguments?.Length ?? 0) + (calls[j].Function?.Name?.Length ?? 0);
            }
        }

        if (size <= MaxAnswerChars)
        {
            return null;
        }

        var choices = completion.Choices.Count;
        return GatewayError.InvalidRequest(
            $"The answer would carry {size} characters{(choices > 1 ? $" ({choices} choices)" : string.Empty)}, more than this server's limit of {MaxAnswerChars}. Ask for fewer choices.",
            choices > 1 ? "n" : null,
            ErrorCodes.InvalidValue);
    }

    private ChatCompletionResponse Build(FixtureResponse response, MockRequest request, CancellationToken cancellationToken)
    {
        // n choices (the request's n, default 1), each the fixture's answer: a fixture has one answer to give.
        var count = ChoiceCount(request);
        var content = response.Content ?? (response.ToolCalls.Count > 0 ? null : string.Empty);
        var choices = new List<ChatChoice>(count);
        for (var i = 0; i < count; i++)
        {
            var calls = response.ToolCalls.Select(c => new ToolCall
            {
                Id = c.Id ?? CompletionIds.NewToolCallId(),
                Type = "function",
                Function = new FunctionCall { Name = c.Name, Arguments = c.Arguments },
            }).ToList();
            choices.Add(new ChatChoice
            {
                Index = i,
                Message = new ChatMessage
                {
                    Role = ChatRoles.Assistant,
                    Content = content is null ? null : MessageContent.FromText(content),
                    ToolCalls = calls.Count > 0 ? calls : null,
                },
                FinishReason = response.FinishReason ?? (calls.Count > 0 ? "tool_calls" : "stop"),
            });
        }

        var promptTokens = response.PromptTokens ?? Tokens.CountPromptTokens(request.Request.Messages ?? [], cancellationToken);
        var completionTokens = response.CompletionTokens
            ?? count * (Tokens.CountTokens(content ?? string.Empty, cancellationToken) + response.ToolCalls.Sum(c => Tokens.CountTokens(c.Name, cancellationToken) + Tokens.CountTokens(c.Arguments, cancellationToken)));
        return new ChatCompletionResponse
        {
            Id = CompletionIds.NewChatCompletionId(),
            Created = Time.GetUtcNow().ToUnixTimeSeconds(),
            Model = response.Model ?? (string.IsNullOrEmpty(request.Model) ? DefaultModel : request.Model),
            Choices = choices,
            Usage = Usage.Of(promptTokens, completionTokens),
        };
    }

    private static int ChoiceCount(MockRequest request) => request.ChoiceCount;

    /// <summary>A saved completion with at least <paramref name="count"/> choices: its own, then its choices again in turn.</summary>
    private static ChatCompletionResponse WithChoices(ChatCompletionResponse completion, int count)
    {
        var saved = completion.Choices;
        if (saved.Count >= count)
        {
            return completion;
        }

        var choices = new List<ChatChoice>(count);
        for (var i = 0; i < count; i++)
        {
            choices.Add(saved[i % saved.Count] with { Index = i });
        }

        return completion with { Choices = choices };
    }

    private static GatewayError ErrorFromSavedBody(JsonElement body, int status)
    {
        if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            string? Field(string name) => error.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            return ToGatewayError(new FixtureError { Status = status, Message = Field("message"), Type = Field("type"), Code = Field("code"), Param = Field("param") });
        }

        return ToGatewayError(new FixtureError { Status = status, Message = PreparedResponse.TextOfSavedBody(body) });
    }

    private static string DefaultErrorType(int status) => status switch
    {
        401 => ErrorTypes.Authentication,
        403 => ErrorTypes.Permission,
        429 => ErrorTypes.RateLimit,
        >= 500 => ErrorTypes.Server,
        _ => ErrorTypes.InvalidRequest,
    };

    private static string DefaultErrorMessage(int status) => status switch
    {
        400 => "Bad request (injected by a mock fixture).",
        401 => "Incorrect API key provided (injected by a mock fixture).",
        403 => "Permission denied (injected by a mock fixture).",
        404 => "Not found (injected by a mock fixture).",
        429 => "Rate limit reached (injected by a mock fixture).",
        503 => "The server is overloaded (injected by a mock fixture).",
        _ => $"The server had an error (status {status}, injected by a mock fixture).",
    };
}
