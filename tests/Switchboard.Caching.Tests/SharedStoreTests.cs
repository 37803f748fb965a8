using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using StackExchange.Redis;
using Switchboard.Caching.Configuration;
using Switchboard.Caching.Exact;
using Switchboard.Caching.Semantic;

namespace Switchboard.Caching.Tests;

/// <summary>
/// Entries outlive the process and are shared between processes: each test builds two caches over separate
/// connections to one store (as two gateway replicas, or one gateway before and after a restart would).
/// Redis and PostgreSQL come from scripts/test-services.sh (SWITCHBOARD_TEST_REDIS, SWITCHBOARD_TEST_POSTGRES).
/// </summary>
public sealed class SharedStoreTests(MiniLmFixture model) : IClassFixture<MiniLmFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ASemanticEntryStoredInSqliteIsFoundAfterARestart()
    {
        var file = Path.Combine(Path.GetTempPath(), $"switchboard-cache-{Guid.NewGuid():N}.db");
        try
        {
            var connection = $"Data Source={file}";
            await StoreThenFindAfterSyncAsync(SqlSemanticCacheStore.Sqlite(connection), SqlSemanticCacheStore.Sqlite(connection));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }

    [Fact]
    public async Task ASemanticEntryStoredInPostgresIsFoundByAnotherReplica()
    {
        var server = Environment.GetEnvironmentVariable("SWITCHBOARD_TEST_POSTGRES");
        Assert.SkipWhen(string.IsNullOrEmpty(server), "SWITCHBOARD_TEST_POSTGRES is not set (scripts/test-services.sh starts PostgreSQL)");
        var database = $"cache_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync(Ct);
            await using var create = admin.CreateCommand();
            create.CommandText = $"CREATE DATABASE {database}";
            await create.ExecuteNonQueryAsync(Ct);
        }

        var connection = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
        await StoreThenFindAfterSyncAsync(SqlSemanticCacheStore.Postgres(connection), SqlSemanticCacheStore.Postgres(connection));
    }

    [Fact]
    public async Task ASemanticEntryStoredInRedisIsFoundByAnotherReplica()
    {
        await using var first = await ConnectRedisAsync();
        await using var second = await ConnectRedisAsync();
        var prefix = $"test:{Guid.NewGuid():N}:";
        await StoreThenFindAfterSyncAsync(new RedisSemanticCacheStore(first, prefix), new RedisSemanticCacheStore(second, prefix));
    }

    [Fact]
    public async Task AnExactEntryStoredInRedisIsFoundByAnotherReplicaUntilPurged()
    {
        await using var first = await ConnectRedisAsync();
        await using var second = await ConnectRedisAsync();
        var prefix = $"test:{Guid.NewGuid():N}:";
        var writer = new RedisExactCacheStore(first, prefix);
        var reader = new RedisExactCacheStore(second, prefix);
        var tags = new CacheTags("key:a|ns", "gpt-4o");

        await writer.SetAsync("hash1", "answer"u8.ToArray(), tags, TimeSpan.FromMinutes(1), Ct);
        Assert.Equal("answer"u8.ToArray(), (await reader.GetAsync("hash1", tags, Ct))!.Value.ToArray());
        Assert.Null(await reader.GetAsync("hash1", tags with { Namespace = "key:b" }, Ct));
        Assert.Equal(1, (await reader.GetSizeAsync(Ct)).Entries);

        Assert.Equal(1, await reader.PurgeAsync(new CachePurge(Model: "gpt-4o"), Ct));
        Assert.Null(await writer.GetAsync("hash1", tags, Ct));
    }

    [Fact]
    public async Task APurgeOnOneReplicaStopsTheOtherFromServingTheEntry()
    {
        var store = new MemorySemanticCacheStore();
        var one = NewCache(store);
        var other = NewCache(store);
        var query = Query("How do I reset my password?");
        var miss = await one.LookupAsync(query, Ct);
        await one.StoreAsync(query, miss.Vector!, "answer"u8.ToArray(), Ct);
        await other.SyncAsync(Ct);
        Assert.True((await other.LookupAsync(Query("How can I reset my password?"), Ct)).IsHit);

        await one.PurgeAsync(new CachePurge(Namespace: query.Namespace), Ct);

        Assert.False((await other.LookupAsync(Query("How can I reset my password?"), Ct)).IsHit);
    }

    private async Task StoreThenFindAfterSyncAsync(ISemanticCacheStore writerStore, ISemanticCacheStore readerStore)
    {
        var writer = NewCache(writerStore);
        var query = Query("How do I reset my password?");
        var miss = await writer.LookupAsync(query, Ct);
        Assert.False(miss.IsHit);
        await writer.StoreAsync(query, miss.Vector!, "the answer"u8.ToArray(), Ct);

        var reader = NewCache(readerStore);
        Assert.False((await reader.LookupAsync(Query("How can I reset my password?"), Ct)).IsHit);
        await reader.SyncAsync(Ct);

        var hit = await reader.LookupAsync(Query("How can I reset my password?"), Ct);
        Assert.True(hit.IsHit);
        Assert.Equal("the answer"u8.ToArray(), hit.Answer.ToArray());
        Assert.False((await reader.LookupAsync(Query("How can I reset my password?") with { Namespace = "key:other" }, Ct)).IsHit);
    }

    private SemanticCache NewCache(ISemanticCacheStore store) =>
        new(new SemanticCacheOptions { Enabled = true }, model.Embedder, store, TimeProvider.System, NullLogger<SemanticCache>.Instance);

    private static SemanticQuery Query(string text) => new("key:test", "gpt-4o-mini", "scope", text);

    private static async Task<ConnectionMultiplexer> ConnectRedisAsync()
    {
        var server = Environment.GetEnvironmentVariable("SWITCHBOARD_TEST_REDIS");
        Assert.SkipWhen(string.IsNullOrEmpty(server), "SWITCHBOARD_TEST_REDIS is not set (scripts/test-services.sh starts Redis)");
        return await ConnectionMultiplexer.ConnectAsync(server + ",allowAdmin=false");
    }
}
