using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Switchboard.Caching;
using Switchboard.Caching.Configuration;
using Switchboard.Caching.Entries;
using Switchboard.Caching.Exact;
using Switchboard.Caching.Semantic;
using Switchboard.Errors;
using Switchboard.Gateway.Pipeline;
using Switchboard.OpenAI;
using Switchboard.Pipeline;
using Switchboard.Streaming;
using Switchboard.Tokens;

namespace Switchboard.Gateway.Caching;

/// <summary>
/// The gateway's side of the caches (<c>cache:</c>): which requests they take and under which namespace, the
/// lookups (exact first; the semantic cache, which embeds, only after an exact miss), what a hit answers, which
/// answers are stored, and the figures and purges of <c>/admin/cache</c>. The two cache stages call it; a failing
/// store or embedder never fails a request (the lookup becomes a miss, the answer is not stored, a warning is logged).
/// </summary>
public sealed partial class ResponseCache
{
    /// <summary>The longest namespace a request may ask for with the namespace header.</summary>
    public const int MaxNamespaceLength = 64;

    private static readonly SearchValues<char> NamespaceCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/@");

    private readonly CacheOptions _options;
    private readonly IExactCacheStore? _exact;
    private readonly SemanticCache? _semantic;
    private readonly ITokenCounter _tokens;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <param name="options">The <c>cache:</c> section.</param>
    /// <param name="exact">The exact store; null when <c>cache.exact</c> is off.</param>
    /// <param name="semantic">The semantic cache; null when <c>cache.semantic</c> is off.</param>
    /// <param name="tokens">Counts the tokens of answers whose upstream reported none (what a later hit saves).</param>
    /// <param name="timeProvider">The gateway's clock.</param>
    /// <param name="logger">Where failing stores and embedders are reported.</param>
    public ResponseCache(CacheOptions options, IExactCacheStore? exact, SemanticCache? semantic, ITokenCounter tokens, TimeProvider timeProvider, ILogger<ResponseCache> logger)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _exact = exact;
        _semantic = semantic;
        _tokens = tokens ?? throw new ArgumentNullException(nameof(tokens));
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>True when either cache is on (the cache stages are composed only then).</summary>
    public bool Enabled => _exact is not null || _semantic is not null;

    /// <summary>The <c>cache:</c> settings.</summary>
    public CacheOptions Options => _options;

    /// <summary>The exact store; null when the exact cache is off.</summary>
    public IExactCacheStore? ExactStore => _exact;

    /// <summary>The semantic cache; null when it is off.</summary>
    public SemanticCache? SemanticCache => _semantic;

    /// <summary>Lookups, hits and stores since the process started.</summary>
    public CacheStatistics Statistics { get; } = new();

    /// <summary>
    /// Decides what the caches do for a chat request: null when they are bypassed (<c>Cache-Control: no-store</c>,
    /// <c>temperature</c> above 0 without <c>sampled</c>, no route). <paramref name="error"/> is set (and null
    /// returned) for a namespace header the gateway will not file entries under.
    /// </summary>
    internal CachePlan? Plan(GatewayContext context, out GatewayError? error)
    {
        error = null;
        var (noCache, noStore) = CacheControl.Parse(context.RequestHeaders);
        if (noStore || context.Route is not { } route)
        {
            return null;
        }

        var request = context.ChatRequest;
        var sampled = request.Temperature is > 0;
        var exact = _exact is not null && (!sampled || _options.Exact.Sampled);
        var semantic = _semantic is not null && (!sampled || _options.Semantic.Sampled);
        if (!exact && !semantic)
        {
            return null;
        }

        var cacheNamespace = Namespace(context, out error);
        if (cacheNamespace is null)
        {
            return null;
        }

        var model = route.Name;
        var query = semantic ? CacheKeys.Semantic(request, model, cacheNamespace, _options.Semantic.ContextTurns) : null;
        if (!exact && query is null)
        {
            return null;
        }

        return new CachePlan
        {
            Lookup = !noCache,
            Store = true,
            Model = model,
            Tags = new CacheTags(cacheNamespace, model),
            ExactKey = exact ? CacheKeys.Exact(request, model) : null,
            Semantic = query,
        };
    }

    /// <summary>
    /// Asks the exact cache, then (only after an exact miss) the semantic cache, and records the outcome in
    /// <see cref="GatewayContext.Cache"/>: a hit with the tokens and money it saves, or a miss with the similarity
    /// of the nearest semantic candidate. Returns the stored answer on a hit.
    /// </summary>
    internal async ValueTask<CachedCompletion?> LookupAsync(CachePlan plan, GatewayContext context, CancellationToken cancellationToken)
    {
        if (plan.ExactKey is { } key)
        {
            try
            {
                if (await _exact!.GetAsync(key, plan.Tags, cancellationToken) is { } stored && Open(stored) is { } found)
                {
                    context.Cache = Saved(CacheOutcome.Hit, null, found.Answer);
                    Statistics.Hit();
                    return found.Completion;
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                Statistics.Failure();
                Log.ExactLookupFailed(_logger, _exact!.Name, ex);
            }
        }

        double? nearest = null;
        if (plan.Semantic is { } query)
        {
            try
            {
                var lookup = await _semantic!.LookupAsync(query, cancellationToken);
                plan.Vector = lookup.Vector;
                if (lookup.IsHit && Open(lookup.Answer) is { } found)
                {
                    context.Cache = Saved(CacheOutcome.Semantic, lookup.Similarity, found.Answer);
                    Statistics.SemanticHit();
                    return found.Completion;
                }

                if (lookup.RefusedBecause is not null)
                {
                    Statistics.GuardRefusal();
                }

                nearest = lookup.Similarity > 0 ? Math.Round(lookup.Similarity, 4) : null;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // Without a vector there is nothing to file the answer under either.
                plan.Semantic = null;
                Statistics.Failure();
                Log.SemanticLookupFailed(_logger, ex);
            }
        }

        context.Cache = new CacheResult(CacheOutcome.Miss, nearest);
        Statistics.Miss();
        return null;
    }

    /// <summary>A hit as the request wants it: the stored completion, or (for <c>stream: true</c>) its replay as a stream.</summary>
    internal static ChatResult Serve(CachedCompletion cached, ChatCompletionRequest request) => request.IsStreaming
        ? new ChatResult.Streaming(ChatStreams.Replay(cached.Response, request.WantsStreamUsage))
        : new ChatResult.Completed(cached.Response, cached.Json);

    /// <summary>
    /// Stores a whole answer under the plan's keys, when it is complete: every choice stopped on its own or called
    /// tools (<c>length</c> only with <c>cache.store_truncated</c>). <paramref name="json"/> is the upstream's bytes
    /// when the answer is as it sent it; empty when a stage built or changed it (it is serialized then).
    /// </summary>
    internal async ValueTask StoreAsync(CachePlan plan, GatewayContext context, ChatCompletionResponse response, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        if (plan.ExactKey is null && plan.Semantic is null)
        {
            // The semantic lookup failed and no exact cache takes the request: nowhere to file it.
            return;
        }

        if (!IsComplete(response))
        {
            Statistics.NotStoredAnswer();
            return;
        }

        try
        {
            var usage = context.Usage ?? (response.Usage is { } reported ? TokenUsage.From(reported) : Estimate(context.ChatRequest, response));
            var entry = CachedAnswerCodec.EncodeCompressed(new CachedAnswer
            {
                Body = json.IsEmpty ? JsonSerializer.SerializeToUtf8Bytes(response, OpenAIJsonContext.Relaxed.ChatCompletionResponse) : json,
                CreatedAt = _time.GetUtcNow(),
                Model = plan.Model,
                Provider = context.Deployment?.ProviderName ?? string.Empty,
                PromptTokens = usage.PromptTokens,
                CompletionTokens = usage.CompletionTokens,
                CostUsd = context.Deployment?.CostOf(usage) ?? 0m,
            });
            if (plan.ExactKey is { } key)
            {
                await _exact!.SetAsync(key, entry, plan.Tags, _options.Exact.Ttl, cancellationToken);
            }

            if (plan.Semantic is { } query)
            {
                var vector = plan.Vector ?? await _semantic!.Embedder.EmbedAsync(query.Text, cancellationToken);
                await _semantic!.StoreAsync(query, vector, entry, cancellationToken);
            }

            Statistics.Stored();
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Statistics.Failure();
            Log.StoreFailed(_logger, ex);
        }
    }

    /// <summary>Removes matching entries from both caches (here and in their shared stores).</summary>
    public async ValueTask<CachePurgeReport> PurgeAsync(CachePurge purge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(purge);
        var exact = _exact is null ? 0 : await _exact.PurgeAsync(purge, cancellationToken);
        var semantic = _semantic is null ? 0 : await _semantic.PurgeAsync(purge, cancellationToken);
        Log.Purged(_logger, purge.Namespace ?? "*", purge.Model ?? "*", exact, semantic);
        return new CachePurgeReport { Exact = exact, Semantic = semantic };
    }

    /// <summary>The figures of <c>GET /admin/cache</c>: what each cache holds and what they did since start.</summary>
    public async ValueTask<CacheReport> ReportAsync(CancellationToken cancellationToken)
    {
        ExactCacheReport? exact = null;
        if (_exact is not null)
        {
            var size = await _exact.GetSizeAsync(cancellationToken);
            exact = new ExactCacheReport { Store = _exact.Name, Entries = size.Entries, Bytes = size.Bytes, TtlSeconds = (long)_options.Exact.Ttl.TotalSeconds };
        }

        SemanticCacheReport? semantic = null;
        if (_semantic is not null)
        {
            semantic = new SemanticCacheReport
            {
                Store = _semantic.Store.Name,
                Embedder = _semantic.Embedder.Name,
                Threshold = _options.Semantic.Threshold,
                Entries = _semantic.Count,
                Namespaces = _semantic.CountByNamespace(),
                TtlSeconds = (long)_options.Semantic.Ttl.TotalSeconds,
            };
        }

        var statistics = Statistics;
        return new CacheReport
        {
            Partition = _options.Partition,
            Exact = exact,
            Semantic = semantic,
            Requests = new CacheRequestsReport
            {
                Hit = statistics.Hits,
                Semantic = statistics.SemanticHits,
                Miss = statistics.Misses,
                Bypass = statistics.Bypasses,
                HitRate = Math.Round(statistics.HitRate, 4),
                GuardRefusals = statistics.GuardRefusals,
                Stored = statistics.Stores,
                NotStored = statistics.NotStored,
                Failures = statistics.Failures,
            },
        };
    }

    /// <summary>Whether every choice ended by itself: never an answer cut short (unless configured) or unfinished.</summary>
    internal bool IsComplete(ChatCompletionResponse response)
    {
        if (response.Choices is not { Count: > 0 } choices)
        {
            return false;
        }

        foreach (var choice in choices)
        {
            var complete = choice.FinishReason switch
            {
                "stop" or "tool_calls" or "function_call" => true,
                "length" => _options.StoreTruncated,
                _ => false,
            };
            if (!complete)
            {
                return false;
            }
        }

        return true;
    }

    private TokenUsage Estimate(ChatCompletionRequest request, ChatCompletionResponse response)
    {
        var completion = 0;
        foreach (var choice in response.Choices)
        {
            completion += _tokens.CountTokens(choice.Message.Text);
            foreach (var call in choice.Message.ToolCalls ?? [])
            {
                completion += _tokens.CountTokens(call.Function?.Name ?? string.Empty) + _tokens.CountTokens(call.Function?.Arguments ?? string.Empty);
            }
        }

        return new TokenUsage(_tokens.CountPromptTokens(request.Messages ?? []), completion, IsEstimated: true);
    }

    private static CacheResult Saved(CacheOutcome outcome, float? similarity, CachedAnswer answer) => new(
        outcome,
        similarity is { } value ? Math.Round(value, 4) : null,
        answer.PromptTokens + answer.CompletionTokens,
        answer.CostUsd);

    /// <summary>An entry's answer, parsed; null when the bytes are not an entry or not a completion (treated as a miss).</summary>
    private static (CachedAnswer Answer, CachedCompletion Completion)? Open(ReadOnlyMemory<byte> stored)
    {
        if (CachedAnswerCodec.DecodePlain(stored) is not { } answer)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(answer.Body.Span, OpenAIJsonContext.Default.ChatCompletionResponse) is { Choices.Count: > 0 } response
                ? (answer, new CachedCompletion(response, answer.Body))
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The partition of the caller (<c>cache.partition</c>), narrowed by the namespace header when the request sends one.</summary>
    private string? Namespace(GatewayContext context, out GatewayError? error)
    {
        error = null;
        var caller = context.Caller;
        var partition = _options.Partition switch
        {
            CachePartitions.Global => "global",
            CachePartitions.Team when caller?.Team is { Length: > 0 } team => "team:" + team,
            _ => caller is null ? "open" : caller.IsMaster ? "master" : "key:" + caller.KeyId,
        };
        var headers = context.RequestHeaders;
        if (headers.Count == 0 || !headers.TryGetValue(_options.NamespaceHeader, out var requested) || requested.Length == 0)
        {
            return partition;
        }

        if (requested.Length > MaxNamespaceLength || requested.AsSpan().ContainsAnyExcept(NamespaceCharacters))
        {
            error = GatewayError.InvalidRequest(
                $"The {_options.NamespaceHeader} header must be 1 to {MaxNamespaceLength} letters, digits or - _ . : / @.",
                _options.NamespaceHeader,
                ErrorCodes.InvalidValue);
            return null;
        }

        return string.Concat(partition, "|", requested);
    }

    /// <summary>Stores the answer a stream amounted to, once it ended well (see <see cref="StoringStream"/>).</summary>
    internal ValueTask StoreStreamAsync(CachePlan plan, GatewayContext context, ChatCompletionAccumulator accumulator, CancellationToken cancellationToken) =>
        StoreAsync(plan, context, accumulator.ToCompletion(), default, cancellationToken);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "cache: the exact store ({Store}) could not be read; answering from the upstream")]
        public static partial void ExactLookupFailed(ILogger logger, string store, Exception exception);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "cache: the semantic lookup failed (embedder or store); answering from the upstream")]
        public static partial void SemanticLookupFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "cache: an answer could not be stored")]
        public static partial void StoreFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "cache: purged namespace {Namespace}, model {Model}: {Exact} exact and {Semantic} semantic entries")]
        public static partial void Purged(ILogger logger, string @namespace, string model, long exact, long semantic);
    }
}
