using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Caching;
using Switchboard.Caching.Configuration;
using Switchboard.Caching.Embeddings;
using Switchboard.Caching.Exact;
using Switchboard.Caching.Semantic;
using Switchboard.Gateway.Caching;
using Switchboard.Gateway.Pipeline;
using Switchboard.Gateway.Routing;
using Switchboard.Gateway.Stages;
using Switchboard.Gateway.Tests.Infrastructure;
using Switchboard.OpenAI;
using Switchboard.Pipeline;
using Switchboard.Streaming;
using Switchboard.Tokens;

namespace Switchboard.Gateway.Tests;

/// <summary>
/// The two cache stages around a hand-written upstream (no HTTP): what is not stored (streams a reader abandoned or
/// that never finished) and what happens when a store or the embedder fails (a miss, never a failed request).
/// </summary>
public sealed class CacheStageTests
{
    private static readonly IServiceProvider NoServices = new ServiceCollection().BuildServiceProvider();
    private static readonly ModelRoute Route = new("m", [new Deployment(new ScriptedProvider("up"), "m", 1, null, null, new CircuitBreaker(5, TimeSpan.FromSeconds(30), TimeProvider.System))], []);

    private int _upstreamCalls;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AStreamItsReaderAbandonedIsNotStored()
    {
        var cache = Cache(new MemoryExactCacheStore(10, 1 << 20, TimeProvider.System));
        var pipeline = Pipeline(cache, _ => new ChatResult.Streaming(Chunks("stop")));

        await using (var chunks = Stream(await pipeline.InvokeAsync(Request(stream: true), Ct)).GetAsyncEnumerator(Ct))
        {
            Assert.True(await chunks.MoveNextAsync());
        }

        var next = Request();
        await pipeline.InvokeAsync(next, Ct);
        Assert.Equal(CacheOutcome.Miss, next.Cache.Outcome);
        Assert.Equal(2, _upstreamCalls);
    }

    [Fact]
    public async Task AStreamThatEndsWithoutAFinishReasonIsNotStored()
    {
        var cache = Cache(new MemoryExactCacheStore(10, 1 << 20, TimeProvider.System));
        var pipeline = Pipeline(cache, _ => new ChatResult.Streaming(Chunks(finishReason: null)));

        await foreach (var _ in Stream(await pipeline.InvokeAsync(Request(stream: true), Ct)).WithCancellation(Ct))
        {
        }

        Assert.Equal(1, cache.Statistics.NotStored);
        Assert.Equal(0, (await cache.ExactStore!.GetSizeAsync(Ct)).Entries);
    }

    [Fact]
    public async Task AStoreThatFailsTurnsTheLookupIntoAMissAndTheRequestStillSucceeds()
    {
        var cache = Cache(new BrokenExactStore());
        var pipeline = Pipeline(cache, _ => Completion());
        var context = Request();

        var result = await pipeline.InvokeAsync(context, Ct);

        Assert.IsType<ChatResult.Completed>(result);
        Assert.Equal(CacheOutcome.Miss, context.Cache.Outcome);
        Assert.Equal(2, cache.Statistics.Failures);
    }

    [Fact]
    public async Task AnEmbedderThatFailsTurnsTheSemanticLookupIntoAMiss()
    {
        var options = new SemanticCacheOptions { Enabled = true };
        var semantic = new SemanticCache(options, new BrokenEmbedder(), new MemorySemanticCacheStore(), TimeProvider.System, NullLogger<SemanticCache>.Instance);
        var cache = new ResponseCache(new CacheOptions { Semantic = options }, null, semantic, TiktokenTokenCounter.Instance, TimeProvider.System, NullLogger<ResponseCache>.Instance);
        var pipeline = Pipeline(cache, _ => Completion());
        var context = Request();

        var result = await pipeline.InvokeAsync(context, Ct);

        Assert.IsType<ChatResult.Completed>(result);
        Assert.Equal(CacheOutcome.Miss, context.Cache.Outcome);
        Assert.Equal(1, cache.Statistics.Failures);
        Assert.Equal(0, semantic.Count);
    }

    private static ResponseCache Cache(IExactCacheStore store) => new(
        new CacheOptions { Exact = new ExactCacheOptions { Enabled = true } }, store, null, TiktokenTokenCounter.Instance, TimeProvider.System, NullLogger<ResponseCache>.Instance);

    private GatewayPipeline Pipeline(ResponseCache cache, Func<GatewayContext, ChatResult> upstream) =>
        new GatewayPipelineBuilder(NoServices).Use(new CacheLookupStage(cache)).Use(new CacheStoreStage(cache)).Build((context, _) =>
        {
            Interlocked.Increment(ref _upstreamCalls);
            context.Deployment = Route.Deployments[0];
            return new ValueTask<GatewayResult>(upstream(context));
        });

    private static GatewayContext Request(bool stream = false)
    {
        var context = GatewayContext.ForChat(new ChatCompletionRequest { Model = "m", Stream = stream, Messages = [ChatMessage.User("How do I reset my password?")] });
        context.Route = Route;
        return context;
    }

    private static IAsyncEnumerable<StreamedChunk> Stream(GatewayResult result) => Assert.IsType<ChatResult.Streaming>(result).Chunks;

    private static ChatResult Completion() => new ChatResult.Completed(new ChatCompletionResponse
    {
        Id = "chatcmpl-1",
        Model = "m",
        Choices = [new ChatChoice { Message = ChatMessage.Assistant("Use the reset link."), FinishReason = "stop" }],
        Usage = Usage.Of(9, 4),
    });

    private static IAsyncEnumerable<StreamedChunk> Chunks(string? finishReason) => new[]
    {
        StreamedChunk.From(new ChatCompletionChunk { Id = "c", Model = "m", Choices = [new ChunkChoice { Delta = new ChatDelta { Role = "assistant", Content = "Use the " } }] }),
        StreamedChunk.From(new ChatCompletionChunk { Id = "c", Model = "m", Choices = [new ChunkChoice { Delta = new ChatDelta { Content = "reset link." }, FinishReason = finishReason }] }),
    }.ToAsyncEnumerable();

    private sealed class BrokenExactStore : IExactCacheStore
    {
        public string Name => "broken";

        public ValueTask<ReadOnlyMemory<byte>?> GetAsync(string key, CacheTags tags, CancellationToken cancellationToken) => throw new TimeoutException("store unreachable");

        public ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CacheTags tags, TimeSpan ttl, CancellationToken cancellationToken) => throw new TimeoutException("store unreachable");

        public ValueTask<long> PurgeAsync(CachePurge purge, CancellationToken cancellationToken) => throw new TimeoutException("store unreachable");

        public ValueTask<CacheSize> GetSizeAsync(CancellationToken cancellationToken) => throw new TimeoutException("store unreachable");
    }

    private sealed class BrokenEmbedder : ITextEmbedder
    {
        public string Name => "broken";

        public int Dimensions => 3;

        public ValueTask<float[]> EmbedAsync(string text, CancellationToken cancellationToken) => throw new CacheEmbeddingException("the embeddings model failed");
    }
}
