using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Client.Http;

namespace Switchboard.Client;

/// <summary>
/// Calls a chat model and returns every outcome as an <see cref="LlmResponse"/>: connection failures, timeouts,
/// HTTP errors, rate limits and malformed answers come back with <see cref="LlmResponse.Success"/> false and an
/// <see cref="LlmResponse.Error"/> to act on. Only the caller's own cancellation throws
/// (<see cref="OperationCanceledException"/>). Thread-safe; make one and share it.
/// <code>
/// using var llm = LlmClient.Create(LlmClientOptions.FromEnvironment());
/// var answer = await llm.CompleteAsync("Say hello");
/// Console.WriteLine(answer.Success ? answer.Content : answer.Error);
/// </code>
/// </summary>
public sealed partial class LlmClient : IDisposable
{
    private readonly LlmClientOptions _options;
    private readonly IResponseCleaner? _cleaner;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ProviderKind _kind;
    private readonly string? _fallbackModel;
    private readonly Uri _endpoint;
    private readonly IDisposable[] _owned;
    private int _disposed;

    /// <summary>Wraps any Microsoft.Extensions.AI chat client (OpenAI, Azure, Ollama, a pipeline of your own).</summary>
    /// <param name="chatClient">The client to call; this instance does not dispose it.</param>
    /// <param name="options">Defaults of every call (model, temperature, max tokens, system prompt, timeout, cleaning); <see cref="LlmClientOptions.BaseUrl"/>, retries and the cache belong to <see cref="Create"/> and are not used here.</param>
    /// <param name="cleaner">Cleans every answer; by default <see cref="SwitchboardResponseCleaner"/> (the gateway's cleaner) when <see cref="LlmClientOptions.CleanResponses"/> is set, otherwise none.</param>
    /// <param name="timeProvider">The clock for response times and the time limit; the system's by default.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException"><paramref name="options"/> has a value out of range.</exception>
    public LlmClient(IChatClient chatClient, LlmClientOptions? options = null, IResponseCleaner? cleaner = null, TimeProvider? timeProvider = null)
        : this(chatClient, options ?? new LlmClientOptions(), cleaner, timeProvider ?? TimeProvider.System, NullLogger.Instance, [], modelFromClient: true)
    {
    }

    private LlmClient(IChatClient chatClient, LlmClientOptions options, IResponseCleaner? cleaner, TimeProvider time, ILogger logger, IDisposable[] owned, bool modelFromClient)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        LlmClientOptionsValidator.ThrowIfInvalid(options);

        // A copy: the caller may change its options object later; this client keeps what it was given.
        _options = options with { };
        ChatClient = chatClient;
        _cleaner = cleaner ?? (options.CleanResponses ? SwitchboardResponseCleaner.Default : null);
        _time = time;
        _logger = logger;
        _owned = owned;

        var metadata = chatClient.GetService<ChatClientMetadata>();
        _kind = chatClient.GetService<OpenAI.Chat.ChatClient>() is not null ? ProviderKind.OpenAI
            : string.Equals(metadata?.ProviderName, "ollama", StringComparison.OrdinalIgnoreCase) ? ProviderKind.Ollama
            : ProviderKind.Other;
        _fallbackModel = modelFromClient ? metadata?.DefaultModelId : null;
        _endpoint = metadata?.ProviderUri ?? options.EffectiveBaseUrl;
    }

    /// <summary>The Microsoft.Extensions.AI client this one calls (with the response cache in front when it is on), for what this API does not cover.</summary>
    public IChatClient ChatClient { get; }

    /// <summary>
    /// Makes a client for the common cases: <see cref="LlmProvider.OpenAICompatible"/> (the Switchboard gateway,
    /// OpenAI, LM Studio, vLLM) through Microsoft.Extensions.AI.OpenAI, or <see cref="LlmProvider.Ollama"/>'s
    /// native API through OllamaSharp; with the retries, cache and cleaning the options ask for.
    /// </summary>
    /// <param name="options">Where and how to call; see <see cref="LlmClientOptions.FromEnvironment()"/>.</param>
    /// <param name="services">
    /// Optional services: an <c>IDistributedCache</c> for the response cache (otherwise one in memory), an
    /// <see cref="IResponseCleaner"/>, a <see cref="TimeProvider"/> and an <see cref="ILoggerFactory"/>.
    /// </param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException"><paramref name="options"/> has a value out of range; the message names it.</exception>
    public static LlmClient Create(LlmClientOptions options, IServiceProvider? services = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        LlmClientOptionsValidator.ThrowIfInvalid(options);
        var time = services?.GetService<TimeProvider>() ?? TimeProvider.System;
        return Build(options, ProviderClients.CreateHttpClient(options, time), services, time);
    }

    /// <summary>A client over <paramref name="http"/> (whose handlers record, and maybe retry); the client owns and disposes it.</summary>
    internal static LlmClient Build(LlmClientOptions options, HttpClient http, IServiceProvider? services, TimeProvider time)
    {
        try
        {
            var pipeline = ProviderClients.CreatePipeline(options, http, services);
            var cleaner = options.CleanResponses ? services?.GetService<IResponseCleaner>() ?? SwitchboardResponseCleaner.Default : null;
            var logger = services?.GetService<ILoggerFactory>()?.CreateLogger<LlmClient>() ?? (ILogger)NullLogger.Instance;
            return new LlmClient(pipeline, options, cleaner, time, logger, [pipeline, http], modelFromClient: false);
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    /// <summary>Asks for a completion of one user message.</summary>
    /// <param name="prompt">The user's message; an empty one fails with <see cref="LlmErrorKind.InvalidRequest"/>.</param>
    /// <param name="options">This call's settings, over the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the call; the only way this method throws.</param>
    /// <returns>The answer, or the failure as a value.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<LlmResponse> CompleteAsync(string prompt, LlmRequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return CompleteCoreAsync(FromPrompt(prompt, options), options, PromptProblem(prompt), cancellationToken);
    }

    /// <summary>Asks for the next message of a conversation.</summary>
    /// <param name="messages">The conversation so far (system, user, assistant, tool messages); none at all fails with <see cref="LlmErrorKind.InvalidRequest"/>.</param>
    /// <param name="options">This call's settings, over the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the call; the only way this method throws.</param>
    /// <returns>The answer, or the failure as a value.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<LlmResponse> CompleteAsync(IEnumerable<ChatMessage> messages, LlmRequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = FromMessages(messages, options, out var problem);
        return CompleteCoreAsync(list, options, problem, cancellationToken);
    }

    /// <summary>
    /// The synchronous form of <see cref="CompleteAsync(string, LlmRequestOptions?, CancellationToken)"/>, for code
    /// that cannot await. Safe on a UI thread or under a synchronization context: the call runs on the thread pool,
    /// so nothing waits for the blocked thread. Prefer the asynchronous form where you can; each waiting call holds a thread.
    /// </summary>
    /// <param name="prompt">The user's message.</param>
    /// <param name="options">This call's settings, over the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the call; the only way this method throws.</param>
    /// <returns>The answer, or the failure as a value.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public LlmResponse Complete(string prompt, LlmRequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return RunOnThreadPool(() => CompleteAsync(prompt, options, cancellationToken));
    }

    /// <summary>The synchronous form of <see cref="CompleteAsync(IEnumerable{ChatMessage}, LlmRequestOptions?, CancellationToken)"/>; see <see cref="Complete(string, LlmRequestOptions?, CancellationToken)"/>.</summary>
    /// <param name="messages">The conversation so far.</param>
    /// <param name="options">This call's settings, over the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the call; the only way this method throws.</param>
    /// <returns>The answer, or the failure as a value.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public LlmResponse Complete(IEnumerable<ChatMessage> messages, LlmRequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = FromMessages(messages, options, out var problem);
        return RunOnThreadPool(() => CompleteCoreAsync(list, options, problem, cancellationToken));
    }

    /// <summary>
    /// Streams the answer to one user message: text updates as they arrive, then one final update whose
    /// <see cref="LlmStreamUpdate.Response"/> is the whole result, the same <see cref="LlmResponse"/> as
    /// <see cref="CompleteAsync(string, LlmRequestOptions?, CancellationToken)"/> gives. A failure, also one in
    /// the middle of the stream, ends it with a final update whose response has <see cref="LlmResponse.Success"/> false.
    /// </summary>
    /// <param name="prompt">The user's message.</param>
    /// <param name="options">This call's settings, over the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the call; the only way the enumeration throws.</param>
    /// <returns>The updates; the last one carries the response.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public IAsyncEnumerable<LlmStreamUpdate> StreamAsync(string prompt, LlmRequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return StreamCoreAsync(FromPrompt(prompt, options), options, PromptProblem(prompt), cancellationToken);
    }

    /// <summary>Streams the next message of a conversation; see <see cref="StreamAsync(string, LlmRequestOptions?, CancellationToken)"/>.</summary>
    /// <param name="messages">The conversation so far.</param>
    /// <param name="options">This call's settings, over the client's defaults.</param>
    /// <param name="cancellationToken">Cancels the call; the only way the enumeration throws.</param>
    /// <returns>The updates; the last one carries the response.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public IAsyncEnumerable<LlmStreamUpdate> StreamAsync(IEnumerable<ChatMessage> messages, LlmRequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = FromMessages(messages, options, out var problem);
        return StreamCoreAsync(list, options, problem, cancellationToken);
    }

    /// <summary>Releases the HTTP client and pipeline that <see cref="Create"/> made; a client wrapped by the constructor is left to its owner.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }

    private static LlmResponse RunOnThreadPool(Func<Task<LlmResponse>> call) =>
        // Task.Run leaves the caller's SynchronizationContext behind: no continuation needs the blocked thread.
        Task.Run(call, CancellationToken.None).GetAwaiter().GetResult();

    private async Task<LlmResponse> CompleteCoreAsync(List<ChatMessage> messages, LlmRequestOptions? request, string? problem, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var started = _time.GetTimestamp();
        var model = ModelFor(request);
        if (Problem(model, request, problem) is { } invalid)
        {
            return Finish(LlmFailure.Failed(LlmErrorKind.InvalidRequest, invalid), model, started);
        }

        using var timeout = TimeoutSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var http = HttpCallRecord.Start();
        try
        {
            var chatOptions = ChatOptionsFactory.Create(_options, request, model!, _kind);
            var response = await ChatClient.GetResponseAsync(messages, chatOptions, linked.Token).ConfigureAwait(false);
            return Finish(FromChatResponse(response, Clean(response.Text), model!, streamed: false, http), model, started);
        }
        catch (Exception exception) when (IsFailure(exception, cancellationToken))
        {
            return Finish(Describe(exception, http, timeout), model, started);
        }
        catch (Exception exception) when (CancelledAs(exception, cancellationToken))
        {
            throw Cancelled(exception, cancellationToken);
        }
    }

    private async IAsyncEnumerable<LlmStreamUpdate> StreamCoreAsync(
        List<ChatMessage> messages, LlmRequestOptions? request, string? problem, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var started = _time.GetTimestamp();
        var model = ModelFor(request);
        if (Problem(model, request, problem) is { } invalid)
        {
            yield return new LlmStreamUpdate { Response = Finish(LlmFailure.Failed(LlmErrorKind.InvalidRequest, invalid), model, started) };
            yield break;
        }

        using var timeout = TimeoutSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var http = HttpCallRecord.Start();
        var streamCleaner = _cleaner?.StartStream();
        var updates = new List<ChatResponseUpdate>();
        LlmResponse? failure = null;
        IAsyncEnumerator<ChatResponseUpdate>? enumerator = null;
        try
        {
            var chatOptions = ChatOptionsFactory.Create(_options, request, model!, _kind);
            enumerator = ChatClient.GetStreamingResponseAsync(messages, chatOptions, linked.Token).GetAsyncEnumerator(linked.Token);
        }
        catch (Exception exception) when (IsFailure(exception, cancellationToken))
        {
            failure = Describe(exception, http, timeout);
        }
        catch (Exception exception) when (CancelledAs(exception, cancellationToken))
        {
            throw Cancelled(exception, cancellationToken);
        }

        if (enumerator is not null)
        {
            try
            {
                while (true)
                {
                    ChatResponseUpdate update;
                    try
                    {
                        if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                        {
                            break;
                        }

                        update = enumerator.Current;
                    }
                    catch (Exception exception) when (IsFailure(exception, cancellationToken))
                    {
                        failure = Describe(exception, http, timeout);
                        break;
                    }
                    catch (Exception exception) when (CancelledAs(exception, cancellationToken))
                    {
                        throw Cancelled(exception, cancellationToken);
                    }

                    updates.Add(update);
                    var text = update.Text;
                    if (streamCleaner is not null)
                    {
                        text = streamCleaner.Append(text);
                    }

                    if (text.Length > 0)
                    {
                        yield return new LlmStreamUpdate { Text = text, RawUpdate = update };
                    }
                }
            }
            finally
            {
                await DisposeQuietlyAsync(enumerator).ConfigureAwait(false);
            }
        }

        if (failure is not null)
        {
            yield return new LlmStreamUpdate { Response = Finish(failure, model, started) };
            yield break;
        }

        if (streamCleaner?.Complete() is { Length: > 0 } rest)
        {
            yield return new LlmStreamUpdate { Text = rest };
        }

        var response = updates.ToChatResponse();
        yield return new LlmStreamUpdate { Response = Finish(FromChatResponse(response, Clean(response.Text), model!, streamed: true, http), model, started) };
    }

    private string? ModelFor(LlmRequestOptions? request) =>
        new[] { request?.Model, _options.Model, _fallbackModel }.FirstOrDefault(m => !string.IsNullOrWhiteSpace(m));

    private static string? Problem(string? model, LlmRequestOptions? request, string? problem)
    {
        if (problem is not null)
        {
            return problem;
        }

        if (model is null)
        {
            return "No model to ask for: set LlmClientOptions.Model (LLM_MODEL, or Llm:Model in configuration) or LlmRequestOptions.Model.";
        }

        return request?.AdditionalProperties?.Keys.FirstOrDefault(k => !ChatOptionsFactory.IsPlainName(k)) is { } bad
            ? $"LlmRequestOptions.AdditionalProperties: '{bad}' is not a field name (letters, digits and _ only)."
            : null;
    }

    private static string? PromptProblem(string prompt) =>
        string.IsNullOrWhiteSpace(prompt) ? "The prompt is empty: there is nothing to ask." : null;

    private List<ChatMessage> FromPrompt(string prompt, LlmRequestOptions? request)
    {
        var messages = new List<ChatMessage>(2);
        if (SystemPrompt(request, []) is { } system)
        {
            messages.Add(new ChatMessage(ChatRole.System, system));
        }

        messages.Add(new ChatMessage(ChatRole.User, prompt));
        return messages;
    }

    private List<ChatMessage> FromMessages(IEnumerable<ChatMessage> messages, LlmRequestOptions? request, out string? problem)
    {
        var given = messages.ToList();
        problem = given.Count == 0 ? "No messages: there is nothing to ask."
            : given.Any(m => m is null) ? "One of the messages is null."
            : null;
        if (problem is null && SystemPrompt(request, given) is { } system)
        {
            given.Insert(0, new ChatMessage(ChatRole.System, system));
        }

        return given;
    }

    /// <summary>The call's system prompt always; the client's default only when the conversation has none of its own.</summary>
    private string? SystemPrompt(LlmRequestOptions? request, List<ChatMessage> messages) =>
        !string.IsNullOrWhiteSpace(request?.SystemPrompt) ? request.SystemPrompt
        : !string.IsNullOrWhiteSpace(_options.SystemPrompt) && !messages.Exists(m => m.Role == ChatRole.System) ? _options.SystemPrompt
        : null;

    private CancellationTokenSource TimeoutSource() =>
        _options.Timeout == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(_options.Timeout, _time);

    private string Clean(string text) => _cleaner is null ? text : _cleaner.Clean(text);

    /// <summary>Whether to turn an exception into a value: yes, unless the caller cancelled (then it propagates) or the process is in trouble.</summary>
    private static bool IsFailure(Exception exception, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && exception is not (OutOfMemoryException or StackOverflowException or AccessViolationException);

    /// <summary>Some layers report a cancelled socket as an I/O error: the caller still gets the exception it expects.</summary>
    private static bool CancelledAs(Exception exception, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested && exception is not OperationCanceledException;

    private static OperationCanceledException Cancelled(Exception exception, CancellationToken cancellationToken) =>
        new("The call was cancelled.", exception, cancellationToken);

    private LlmResponse Describe(Exception exception, HttpCallRecord http, CancellationTokenSource timeout) =>
        LlmFailure.Describe(exception, http, timeout.IsCancellationRequested, _options.Timeout, _endpoint);

    private LlmResponse FromChatResponse(ChatResponse response, string content, string model, bool streamed, HttpCallRecord http)
    {
        var target = http.RequestUri ?? _endpoint;
        var said = response.Messages.Any(m => m.Contents.Any(c => c is TextContent or FunctionCallContent));
        if (!said && response.FinishReason is null)
        {
            return LlmFailure.Failed(LlmErrorKind.InvalidResponse, $"The answer from {target} had no message.");
        }

        if (streamed && response.FinishReason is null && response.Usage is null)
        {
            return LlmFailure.Failed(LlmErrorKind.InvalidResponse, $"The stream from {target} ended before the answer was complete (no finish reason).");
        }

        var prompt = (int)(response.Usage?.InputTokenCount ?? 0);
        var completion = (int)(response.Usage?.OutputTokenCount ?? 0);
        return new LlmResponse
        {
            Success = true,
            Content = content,
            PromptTokens = prompt,
            CompletionTokens = completion,
            TokensUsed = (int)(response.Usage?.TotalTokenCount ?? prompt + completion),
            ModelUsed = string.IsNullOrEmpty(response.ModelId) ? model : response.ModelId,
            FinishReason = response.FinishReason?.Value,
            ChatResponse = response,
        };
    }

    private LlmResponse Finish(LlmResponse result, string? model, long started)
    {
        result = result with
        {
            ResponseTime = _time.GetElapsedTime(started),
            ModelUsed = result.Success ? result.ModelUsed : model ?? string.Empty,
        };

        if (result.Success)
        {
            Log.Completed(_logger, result.ModelUsed, result.TokensUsed, result.ResponseTime.TotalMilliseconds);
        }
        else
        {
            Log.Failed(_logger, result.ModelUsed, result.ErrorKind, result.Error);
        }

        return result;
    }

    private static async ValueTask DisposeQuietlyAsync(IAsyncEnumerator<ChatResponseUpdate> enumerator)
    {
        try
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Closing a stream that already failed may fail again; the outcome is already decided.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "LLM call to {Model} answered with {Tokens} tokens in {Milliseconds:0} ms")]
        public static partial void Completed(ILogger logger, string model, int tokens, double milliseconds);

        [LoggerMessage(2, LogLevel.Warning, "LLM call to {Model} failed ({Kind}): {Error}")]
        public static partial void Failed(ILogger logger, string model, LlmErrorKind kind, string? error);
    }
}
