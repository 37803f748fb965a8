using Microsoft.Extensions.Time.Testing;
using Switchboard.Caching.Exact;

namespace Switchboard.Caching.Tests;

public sealed class ExactStoreTests
{
    private static readonly CacheTags Tags = new("key:a", "gpt-4o");
    private readonly FakeTimeProvider _time = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReturnsWhatWasStoredUntilItsTtlRunsOut()
    {
        var store = new MemoryExactCacheStore(10, 1 << 20, _time);
        await store.SetAsync("k", "answer"u8.ToArray(), Tags, TimeSpan.FromMinutes(5), Ct);

        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal("answer"u8.ToArray(), (await store.GetAsync("k", Tags, Ct))!.Value.ToArray());

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await store.GetAsync("k", Tags, Ct));
    }

    [Fact]
    public async Task DropsTheLeastRecentlyUsedEntryWhenFull()
    {
        var store = new MemoryExactCacheStore(2, 1 << 20, _time);
        await store.SetAsync("a", new byte[10], Tags, TimeSpan.FromHours(1), Ct);
        await store.SetAsync("b", new byte[10], Tags, TimeSpan.FromHours(1), Ct);
        Assert.NotNull(await store.GetAsync("a", Tags, Ct));

        await store.SetAsync("c", new byte[10], Tags, TimeSpan.FromHours(1), Ct);

        Assert.NotNull(await store.GetAsync("a", Tags, Ct));
        Assert.Null(await store.GetAsync("b", Tags, Ct));
        Assert.NotNull(await store.GetAsync("c", Tags, Ct));
    }

    [Fact]
    public async Task StaysWithinItsByteBound()
    {
        var store = new MemoryExactCacheStore(1000, 4096, _time);
        for (var i = 0; i < 10; i++)
        {
            await store.SetAsync($"k{i}", new byte[1000], Tags, TimeSpan.FromHours(1), Ct);
        }

        var size = await store.GetSizeAsync(Ct);
        Assert.InRange(size.Bytes, 1, 4096);
        Assert.True(size.Entries < 10);
        Assert.NotNull(await store.GetAsync("k9", Tags, Ct));
    }

    [Fact]
    public async Task FindsAnEntryOnlyInTheNamespaceItWasStoredIn()
    {
        var store = new MemoryExactCacheStore(10, 1 << 20, _time);
        await store.SetAsync("k", "answer"u8.ToArray(), Tags, TimeSpan.FromHours(1), Ct);

        Assert.Null(await store.GetAsync("k", Tags with { Namespace = "key:b" }, Ct));
        Assert.NotNull(await store.GetAsync("k", Tags, Ct));
    }

    [Fact]
    public async Task PurgesByNamespaceOrModel()
    {
        var store = new MemoryExactCacheStore(10, 1 << 20, _time);
        await store.SetAsync("1", new byte[1], new CacheTags("ns1", "m1"), TimeSpan.FromHours(1), Ct);
        await store.SetAsync("2", new byte[1], new CacheTags("ns2", "m1"), TimeSpan.FromHours(1), Ct);
        await store.SetAsync("3", new byte[1], new CacheTags("ns2", "m2"), TimeSpan.FromHours(1), Ct);

        Assert.Equal(1, await store.PurgeAsync(new CachePurge(Namespace: "ns1"), Ct));
        Assert.Equal(1, await store.PurgeAsync(new CachePurge(Model: "m2"), Ct));
        Assert.Equal(1, (await store.GetSizeAsync(Ct)).Entries);
        Assert.Equal(1, await store.PurgeAsync(CachePurge.All, Ct));
    }
}
