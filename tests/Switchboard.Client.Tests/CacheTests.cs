using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Internal;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Client.Tests.Infrastructure;

namespace Switchboard.Client.Tests;

/// <summary>The optional response cache: Microsoft.Extensions.AI's DistributedCachingChatClient over an IDistributedCache, with a time to live.</summary>
public sealed class CacheTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SameRequestIsAnsweredFromTheCacheUntilItsTimeToLiveEnds()
    {
        await using var mock = await MockLlm.StartAsync();
        var clock = new FakeTimeProvider();
        var cache = new MemoryDistributedCache(Microsoft.Extensions.Options.Options.Create(new MemoryDistributedCacheOptions { Clock = new FakeClock(clock) }));
        await using var services = new ServiceCollection().AddSingleton<IDistributedCache>(cache).BuildServiceProvider();
        var options = MockLlm.Options(mock);
        options.CacheTtl = TimeSpan.FromMinutes(10);
        using var llm = LlmClient.Create(options, services);

        var first = await llm.CompleteAsync("Say hello", cancellationToken: Ct);
        var second = await llm.CompleteAsync("Say hello", cancellationToken: Ct);
        var other = await llm.CompleteAsync("Say hello", new LlmRequestOptions { Temperature = 0 }, Ct);
        clock.Advance(TimeSpan.FromMinutes(11));
        var afterExpiry = await llm.CompleteAsync("Say hello", cancellationToken: Ct);

        Assert.All([first, second, other, afterExpiry], a => Assert.Equal("Hello there!", a.Content));
        Assert.Equal(first.TokensUsed, second.TokensUsed);
        Assert.Equal(3, mock.Journal.Entries.Count);
    }

    [Fact]
    public async Task WithoutATimeToLiveNothingIsCached()
    {
        await using var mock = await MockLlm.StartAsync();
        using var llm = MockLlm.Client(mock);

        await llm.CompleteAsync("Say hello", cancellationToken: Ct);
        await llm.CompleteAsync("Say hello", cancellationToken: Ct);

        Assert.Equal(2, mock.Journal.Entries.Count);
    }

    [Fact]
    public async Task FailuresAreNotCached()
    {
        await using var mock = await MockLlm.StartAsync();
        using var llm = MockLlm.Client(mock, o => o.CacheTtl = TimeSpan.FromMinutes(10));

        await llm.CompleteAsync("fail please", cancellationToken: Ct);
        var again = await llm.CompleteAsync("fail please", cancellationToken: Ct);

        Assert.False(again.Success);
        Assert.Equal(2, mock.Journal.Entries.Count);
    }

    [Fact]
    public async Task StreamsAreCachedToo()
    {
        await using var mock = await MockLlm.StartAsync();
        using var llm = MockLlm.Client(mock, o => o.CacheTtl = TimeSpan.FromMinutes(10));

        var first = (await CompletionTests.ToListAsync(llm.StreamAsync("Tell me a story", cancellationToken: Ct)))[^1].Response!;
        var second = (await CompletionTests.ToListAsync(llm.StreamAsync("Tell me a story", cancellationToken: Ct)))[^1].Response!;

        Assert.True(second.Success, second.Error);
        Assert.Equal(first.Content, second.Content);
        Assert.Single(mock.Journal.Entries);
    }

#pragma warning disable CS0618 // MemoryCacheOptions.Clock is the cache's only clock hook.
    private sealed class FakeClock(TimeProvider time) : ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
#pragma warning restore CS0618
}
