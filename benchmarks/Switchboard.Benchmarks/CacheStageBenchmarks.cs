using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Caching;
using Switchboard.Caching.Configuration;
using Switchboard.Caching.Entries;
using Switchboard.Caching.Exact;
using Switchboard.Gateway.Caching;
using Switchboard.Gateway.Pipeline;
using Switchboard.Gateway.Routing;
using Switchboard.Gateway.Stages;
using Switchboard.OpenAI;
using Switchboard.Pipeline;
using Switchboard.Tokens;

namespace Switchboard.Benchmarks;

/// <summary>
/// CPU per request of the exact cache's two stages, through the real pipeline with an upstream that answers at once
/// (no network): the same request without the cache (the baseline), an exact hit (plain, and replayed as a stream),
/// and a miss whose answer is stored (a new question every time; the store holds 1,024, so each store also evicts);
/// and with a 20 KB prompt, whose hashing is most of a hit's cost.
/// </summary>
[MemoryDiagnoser]
public class CacheStageBenchmarks
{
    private const int UniqueQuestions = 4096;

    private static readonly byte[] AnswerJson = Encoding.UTF8.GetBytes(
        "{\"id\":\"chatcmpl-bench0000000000000000000001\",\"object\":\"chat.completion\",\"created\":1763942400,\"model\":\"gpt-4o-mini-2024-07-18\"," +
        "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello! I can answer questions, draft and summarize text, help with code, plan trips and much more. What would you like to start with?\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}]," +
        "\"usage\":{\"prompt_tokens\":28,\"completion_tokens\":31,\"total_tokens\":59},\"system_fingerprint\":\"fp_bench\"}");

    private readonly ChatCompletionResponse _answer = JsonSerializer.Deserialize(AnswerJson, OpenAIJsonContext.Default.ChatCompletionResponse)!;
    private ModelRoute _route = null!;
    private GatewayPipeline _plain = null!;
    private GatewayPipeline _cached = null!;
    private ChatCompletionRequest _request = null!;
    private ChatCompletionRequest _streamed = null!;
    private ChatCompletionRequest _large = null!;
    private ChatCompletionRequest[] _unique = null!;
    private int _next;
    private byte[] _entry = null!;

    [GlobalSetup]
    public void Setup()
    {
        var deployment = new Deployment(new NoProvider(), "gpt-4o-mini", 1, 0.15m, 0.6m, new CircuitBreaker(5, TimeSpan.FromSeconds(30), TimeProvider.System));
        _route = new ModelRoute("gpt-4o-mini", [deployment], []);
        GatewayDelegate upstream = (context, _) =>
        {
            context.Deployment = deployment;
            context.Usage = new TokenUsage(28, 31);
            return new ValueTask<GatewayResult>(new ChatResult.Completed(_answer, AnswerJson));
        };
        var services = new ServiceCollection().BuildServiceProvider();
        var cache = new ResponseCache(
            new CacheOptions { Exact = new ExactCacheOptions { Enabled = true } },
            new MemoryExactCacheStore(1024, 64L * 1024 * 1024, TimeProvider.System),
            semantic: null,
            TiktokenTokenCounter.Instance,
            TimeProvider.System,
            NullLogger<ResponseCache>.Instance);
        _plain = new GatewayPipelineBuilder(services).Build(upstream);
        _cached = new GatewayPipelineBuilder(services).Use(new CacheLookupStage(cache)).Use(new CacheStoreStage(cache)).Build(upstream);
        _request = Request("Say hello in a few words.");
        _streamed = _request with { Stream = true, StreamOptions = new StreamOptions { IncludeUsage = true } };
        _unique = [.. Enumerable.Range(0, UniqueQuestions).Select(i => Request($"Say hello in a few words, number {i}."))];
        _large = Request(string.Join(' ', Enumerable.Repeat("order_pizza: order pizzas for delivery or pick-up; slot pizza_size (small, medium, large).", 230)));
        _entry = CachedAnswerCodec.EncodeCompressed(new CachedAnswer { Body = AnswerJson, CreatedAt = DateTimeOffset.UnixEpoch, Model = "gpt-4o-mini" });
        Run(_cached, _request).AsTask().GetAwaiter().GetResult();
        Run(_cached, _large).AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public ValueTask<int> WithoutCache() => Run(_plain, _request);

    [Benchmark]
    public ValueTask<int> ExactHit() => Run(_cached, _request);

    [Benchmark]
    public ValueTask<int> ExactHitReplayedAsStream() => Run(_cached, _streamed);

    [Benchmark]
    public ValueTask<int> MissAndStore() => Run(_cached, _unique[_next++ % UniqueQuestions]);

    [Benchmark]
    public ValueTask<int> WithoutCacheLargePrompt() => Run(_plain, _large);

    /// <summary>Parts of a hit and a miss, for the breakdown in docs/benchmarks.md.</summary>
    public ValueTask<int> KeyOnly() => new(CacheKeys.Exact(_request, "gpt-4o-mini").Length);

    public ValueTask<int> EncodeOnly() => new(CachedAnswerCodec.EncodeCompressed(new CachedAnswer { Body = AnswerJson, CreatedAt = DateTimeOffset.UnixEpoch, Model = "gpt-4o-mini" }).Length);

    public ValueTask<int> DecodeOnly() => new(CachedAnswerCodec.DecodePlain(_entry)!.Body.Length);

    public ValueTask<int> ParseOnly() => new(JsonSerializer.Deserialize(AnswerJson, OpenAIJsonContext.Default.ChatCompletionResponse)!.Choices.Count);

    [Benchmark]
    public ValueTask<int> ExactHitLargePrompt() => Run(_cached, _large);

    private static ChatCompletionRequest Request(string question) => new()
    {
        Model = "gpt-4o-mini",
        Messages = [ChatMessage.System("You are a helpful assistant."), ChatMessage.User(question)],
        MaxTokens = 64,
    };

    private async ValueTask<int> Run(GatewayPipeline pipeline, ChatCompletionRequest request)
    {
        var context = GatewayContext.ForChat(request);
        context.Route = _route;
        var result = await pipeline.InvokeAsync(context, default);
        var chunks = 0;
        if (result is ChatResult.Streaming streaming)
        {
            await foreach (var chunk in streaming.Chunks)
            {
                chunks += chunk.Chunk.Choices.Count;
            }
        }

        await context.CompleteAsync();
        return chunks + (int)context.Cache.Outcome;
    }

    private sealed class NoProvider : IChatProvider
    {
        public string Name => "bench";

        public string Type => "openai";

        public ValueTask<ChatResult> ChatAsync(ChatCompletionRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<EmbeddingResult> EmbedAsync(EmbeddingRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<ProviderHealth> CheckHealthAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
