using System.Security.Cryptography;
using Switchboard.Errors;
using Switchboard.Gateway.Routing;
using Switchboard.Identity;
using Switchboard.Limits;
using Switchboard.OpenAI;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Pipeline;

/// <summary>
/// One request on its way through the gateway's pipeline, whatever the operation: what was asked, who asks,
/// where it goes, what it cost, what the cache did, how long it took and how it ended. Every stage reads and
/// writes this one object; each fact has one typed home, owned by the stage named in its documentation.
/// <see cref="Items"/> is only for what no stage owns.
/// </summary>
/// <remarks>
/// One instance per request and nothing allocated behind it until a stage asks (headers, items, completion
/// callbacks). Not thread-safe: a request is handled by one flow at a time.
/// </remarks>
public sealed class GatewayContext
{
    /// <summary>The header that names the end user inside a key, instead of the body's <c>user</c>.</summary>
    public const string EndUserHeader = "x-switchboard-user";

    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    private readonly object? _clientRequest;
    private readonly ReadOnlyMemory<byte> _clientJson;
    private ChatCompletionRequest? _chatRequest;
    private EmbeddingRequest? _embeddingRequest;
    private string? _requestId;
    private string? _endUser;
    private bool _endUserKnown;
    private Dictionary<string, string>? _responseHeaders;
    private Dictionary<string, object?>? _items;
    private CompletionCallback[]? _onCompleted;
    private int _onCompletedCount;
    private int _completed;

    private GatewayContext(GatewayOperations operation, object? request, ReadOnlyMemory<byte> clientJson, string requestedModel, TimeProvider? timeProvider)
    {
        Operation = operation;
        _clientRequest = request;
        _clientJson = clientJson;
        RequestedModel = requestedModel;
        TimeProvider = timeProvider ?? TimeProvider.System;
        StartTimestamp = TimeProvider.GetTimestamp();
    }

    /// <summary>A chat request, as the client sent it (<paramref name="clientJson"/>: the bytes it was read from, when there are any).</summary>
    public static GatewayContext ForChat(ChatCompletionRequest request, ReadOnlyMemory<byte> clientJson = default, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new GatewayContext(GatewayOperations.Chat, request, clientJson, request.Model ?? string.Empty, timeProvider) { _chatRequest = request };
    }

    /// <summary>An embeddings request, as the client sent it.</summary>
    public static GatewayContext ForEmbeddings(EmbeddingRequest request, ReadOnlyMemory<byte> clientJson = default, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new GatewayContext(GatewayOperations.Embeddings, request, clientJson, request.Model ?? string.Empty, timeProvider) { _embeddingRequest = request };
    }

    /// <summary>A model listing (<paramref name="modelId"/> null) or the lookup of one model by id.</summary>
    public static GatewayContext ForModels(string? modelId = null, TimeProvider? timeProvider = null) =>
        new(GatewayOperations.Models, null, default, modelId ?? string.Empty, timeProvider) { ModelId = modelId };

    // ---- What is asked ------------------------------------------------------------------------------

    /// <summary>The operation: exactly one of <see cref="GatewayOperations.Chat"/>, <see cref="GatewayOperations.Embeddings"/>, <see cref="GatewayOperations.Models"/>.</summary>
    public GatewayOperations Operation { get; }

    /// <summary>
    /// The chat request as the next stage should see it. A stage may replace it (compression); the router sends
    /// it with the deployment's model. Only for <see cref="GatewayOperations.Chat"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The request is not a chat request.</exception>
    public ChatCompletionRequest ChatRequest
    {
        get => _chatRequest ?? throw NotThe(GatewayOperations.Chat);
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _ = _chatRequest ?? throw NotThe(GatewayOperations.Chat);
            _chatRequest = value;
        }
    }

    /// <summary>The embeddings request as the next stage should see it. Only for <see cref="GatewayOperations.Embeddings"/>.</summary>
    /// <exception cref="InvalidOperationException">The request is not an embeddings request.</exception>
    public EmbeddingRequest EmbeddingRequest
    {
        get => _embeddingRequest ?? throw NotThe(GatewayOperations.Embeddings);
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _ = _embeddingRequest ?? throw NotThe(GatewayOperations.Embeddings);
            _embeddingRequest = value;
        }
    }

    /// <summary>
    /// The client's bytes while the request is still the one they were read into; empty once a stage replaced it
    /// (the bytes no longer say the same) and for model listings.
    /// </summary>
    public ReadOnlyMemory<byte> ClientJson =>
        _clientRequest is not null && (ReferenceEquals(_chatRequest, _clientRequest) || ReferenceEquals(_embeddingRequest, _clientRequest))
            ? _clientJson
            : default;

    /// <summary>The model name the client asked for, before aliases and routing rules; for a lookup, the id; empty for a listing.</summary>
    public string RequestedModel { get; }

    /// <summary>For <c>GET /v1/models/{id}</c>, the id; null for a listing and for other operations.</summary>
    public string? ModelId { get; private init; }

    /// <summary>The client's request headers (names compared case-insensitively); empty for an in-process call.</summary>
    public IReadOnlyDictionary<string, string> RequestHeaders { get; set; } = NoHeaders;

    /// <summary>
    /// The request's id: the client's <c>x-request-id</c> when it sent a sensible one, else one the host made up.
    /// Sent back as <c>x-request-id</c> and written in usage records. Created on first use for in-process calls.
    /// </summary>
    public string RequestId
    {
        get => _requestId ??= "req_" + RandomNumberGenerator.GetHexString(24, lowercase: true);
        set => _requestId = value;
    }

    // ---- Who asks -----------------------------------------------------------------------------------

    /// <summary>The caller as the auth stage established it; null when the gateway runs without keys.</summary>
    public CallerIdentity? Caller { get; set; }

    /// <summary>
    /// The end user inside a key: the <c>x-switchboard-user</c> header, else the body's <c>user</c> field; null when
    /// neither is given. Read on first use; a stage may set it.
    /// </summary>
    public string? EndUser
    {
        get
        {
            if (!_endUserKnown)
            {
                _endUser = RequestHeaders.TryGetValue(EndUserHeader, out var header) && header.Length > 0
                    ? header
                    : _chatRequest?.User ?? _embeddingRequest?.User;
                _endUserKnown = true;
            }

            return _endUser;
        }
        set
        {
            _endUser = value;
            _endUserKnown = true;
        }
    }

    // ---- Where it goes ------------------------------------------------------------------------------

    /// <summary>
    /// The public model the request resolved to (aliases and routing rules applied), with its deployments, prices
    /// and fallbacks. Set by the model resolution stage; null before it and for model listings.
    /// </summary>
    public ModelRoute? Route { get; set; }

    /// <summary>
    /// The deployment whose answer the client got (provider, upstream model, prices), a client error included. Set by
    /// the router; null when no upstream answered: a cache hit, a 429, a 404, or every attempt failed.
    /// </summary>
    public Deployment? Deployment { get; set; }

    /// <summary>
    /// The deployment the router tries first, when it is closed: the one whose own capacity (<c>rpm</c>/<c>tpm</c>)
    /// the rate-limit stage admitted the request against. Null: the load-balancing policy chooses.
    /// </summary>
    public Deployment? PreferredDeployment { get; set; }

    /// <summary>
    /// [rate limits] The admission whose <c>x-ratelimit-*</c> headers the answer carries (written with the other
    /// headers, from cached strings); null when no limit applied. A typed member rather than six entries in
    /// <see cref="ResponseHeaders"/>: no dictionary and no strings per request.
    /// </summary>
    public Admission? RateLimit { get; set; }

    /// <summary>
    /// Calls the router made to upstreams, retries and fallbacks included; sent as <c>x-switchboard-attempts</c>.
    /// Null when the router did not run; 0 when it ran but every deployment's circuit was open.
    /// </summary>
    public int? Attempts { get; set; }

    /// <summary>
    /// When a stage sets it (the request log does), the router appends every upstream call it makes; null (the
    /// default) records nothing.
    /// </summary>
    public List<UpstreamAttempt>? AttemptLog { get; set; }

    // ---- What it cost -------------------------------------------------------------------------------

    /// <summary>
    /// Tokens used. The router sets the upstream's own count (for a stream, from its usage event, once the stream
    /// has passed it); a stage that counts sets an estimate (<see cref="TokenUsage.IsEstimated"/>). Null while unknown.
    /// </summary>
    public TokenUsage? Usage { get; set; }

    /// <summary>
    /// Set on the way in by a stage that needs the real token counts of a stream (usage records, token limits): the
    /// router then asks an upstream for the usage event even when the client did not ask for it
    /// (<c>stream_options.include_usage</c>, spliced into the client's bytes) and holds that event back from the
    /// client, so <see cref="Usage"/> is known when the stream completes. Off by default: it costs one more event.
    /// </summary>
    public bool RequireUsage { get; set; }

    /// <summary>
    /// Set on the way in by a stage that needs token counts even from an upstream that reports none (token limits):
    /// the router then counts a whole answer's tokens with this (<see cref="TokenUsage.IsEstimated"/>) when the upstream
    /// sent no usage. Null by default: nothing is counted.
    /// </summary>
    public Func<ChatCompletionRequest, ChatCompletionResponse, TokenUsage>? CountMissingUsage { get; set; }

    /// <summary>What <see cref="Usage"/> cost in USD at the serving deployment's prices; null without usage, deployment or prices.</summary>
    public decimal? Cost => Usage is { } usage && Deployment is { } deployment ? deployment.CostOf(usage) : null;

    // ---- What the cache did -------------------------------------------------------------------------

    /// <summary>Set by the cache stage; <see cref="CacheOutcome.Bypass"/> until then. Sent as <c>x-switchboard-cache</c>.</summary>
    public CacheResult Cache { get; set; }

    /// <summary>Set by the compression stage when it shortened the prompt; null otherwise. Sent as <c>x-switchboard-tokens-saved</c>.</summary>
    public CompressionSavings? Compression { get; set; }

    // ---- How long it took ---------------------------------------------------------------------------

    /// <summary>The clock every timing here is read on (the gateway's, so tests control it).</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>When the request entered the gateway, as a <see cref="System.TimeProvider.GetTimestamp"/> value.</summary>
    public long StartTimestamp { get; }

    /// <summary>When the request entered the gateway, as a point in time (for usage records).</summary>
    public DateTimeOffset StartedAt => TimeProvider.GetUtcNow() - Elapsed;

    /// <summary>Time since the request entered the gateway.</summary>
    public TimeSpan Elapsed => TimeProvider.GetElapsedTime(StartTimestamp);

    /// <summary>From the start of the request to the first chunk of a stream from the upstream; set by the router, null for whole answers.</summary>
    public TimeSpan? TimeToFirstToken { get; set; }

    /// <summary>How long the call to the serving deployment took (to its response headers for a stream); set by the router.</summary>
    public TimeSpan? UpstreamLatency { get; set; }

    /// <summary>From the start of the request to its end (the last byte of a stream); set when the request completes.</summary>
    public TimeSpan? Duration { get; private set; }

    // ---- How it ended -------------------------------------------------------------------------------

    /// <summary>
    /// The failure the client got: set by the pipeline from a failed result, or when a stream failed after it
    /// started (the status line said 200; the error went out as the last event). Null for a success.
    /// </summary>
    public GatewayError? Error { get; set; }

    /// <summary>True when the client went away before the answer was complete.</summary>
    public bool Aborted { get; set; }

    /// <summary>The status for records: the error's, 499 when the client went away, else 200.</summary>
    public int StatusCode => Error?.StatusCode ?? (Aborted ? 499 : 200);

    /// <summary>The error's <c>code</c>, for records.</summary>
    public string? ErrorCode => Error?.Code;

    // ---- Headers and leftovers ----------------------------------------------------------------------

    /// <summary>
    /// Extra headers the answer carries (a stage's own, e.g. <c>x-switchboard-tokens-saved</c>). The <c>x-switchboard-*</c>,
    /// <c>x-ratelimit-*</c> (<see cref="RateLimit"/>) and <c>x-request-id</c>
    /// headers are written from the typed members above, not from here. Created on first use.
    /// </summary>
    public IDictionary<string, string> ResponseHeaders => _responseHeaders ??= new Dictionary<string, string>(8, StringComparer.OrdinalIgnoreCase);

    /// <summary>True when a stage added <see cref="ResponseHeaders"/> (so writers skip the dictionary otherwise).</summary>
    public bool HasResponseHeaders => _responseHeaders is { Count: > 0 };

    /// <summary>Per-request state that no typed member owns (created on first use: most requests need none).</summary>
    public IDictionary<string, object?> Items => _items ??= new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>Reads an entry of <see cref="Items"/> without creating the dictionary when no stage put anything there.</summary>
    public bool TryGetItem(string key, out object? value)
    {
        value = null;
        return _items is not null && _items.TryGetValue(key, out value);
    }

    /// <summary>A failed result of this request's kind (<see cref="ChatResult.Failed"/>, <see cref="EmbeddingResult"/> or <see cref="ModelsResult"/>): how a stage answers with an error.</summary>
    public GatewayResult Fail(GatewayError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return Operation switch
        {
            GatewayOperations.Chat => new ChatResult.Failed(error),
            GatewayOperations.Embeddings => EmbeddingResult.Failure(error),
            _ => ModelsResult.Failure(error),
        };
    }

    // ---- Completion ---------------------------------------------------------------------------------

    /// <summary>
    /// Runs <paramref name="callback"/> once the request is over: after the answer was written, or, for a stream,
    /// after its last chunk went out (or it failed, or the client went away). Usage records and limit corrections
    /// belong here: <see cref="Usage"/>, <see cref="Error"/>, <see cref="Duration"/> are final by then. Callbacks run
    /// in reverse order of registration (inner stages first), once. Pass a static lambda and a
    /// <paramref name="state"/> to avoid a closure per request.
    /// </summary>
    public void OnCompleted(Func<GatewayContext, object?, ValueTask> callback, object? state = null)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (Volatile.Read(ref _completed) != 0)
        {
            throw new InvalidOperationException("The request has already completed.");
        }

        _onCompleted ??= new CompletionCallback[2];
        if (_onCompletedCount == _onCompleted.Length)
        {
            Array.Resize(ref _onCompleted, _onCompletedCount * 2);
        }

        _onCompleted[_onCompletedCount++] = new CompletionCallback(callback, state);
    }

    /// <summary>True when a stage registered <see cref="OnCompleted"/> callbacks (the pipeline then watches streams for their end).</summary>
    public bool HasCompletionCallbacks => _onCompletedCount > 0;

    /// <summary>True once <see cref="CompleteAsync"/> ran.</summary>
    public bool IsCompleted => Volatile.Read(ref _completed) != 0;

    /// <summary>
    /// Ends the request: fixes <see cref="Duration"/> and runs the <see cref="OnCompleted"/> callbacks. Idempotent.
    /// The HTTP endpoints and <see cref="GatewayPipeline.CompleteChatAsync"/> call it; a stream returned by the
    /// pipeline calls it itself when it is disposed. Whoever calls <see cref="GatewayPipeline.InvokeAsync"/>
    /// directly calls it once the answer has been delivered.
    /// </summary>
    public async ValueTask CompleteAsync()
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return;
        }

        Duration = Elapsed;
        for (var i = _onCompletedCount - 1; i >= 0; i--)
        {
            var (callback, state) = _onCompleted![i];
            await callback(this, state);
        }
    }

    private InvalidOperationException NotThe(GatewayOperations wanted) =>
        new($"The request is a {Operation} request, not a {wanted} request; the stage should declare the operations it serves.");

    private readonly record struct CompletionCallback(Func<GatewayContext, object?, ValueTask> Callback, object? State);
}
