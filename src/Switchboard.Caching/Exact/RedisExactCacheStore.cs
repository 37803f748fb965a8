using System.Buffers.Text;
using System.Text;
using StackExchange.Redis;

namespace Switchboard.Caching.Exact;

/// <summary>
/// The exact cache in Redis, shared by every replica that points at the same server. Each answer is one
/// string key with Redis's own expiry (<c>SET ... PX</c>); the key carries the namespace and model
/// (base64url, so no pattern characters) so a purge is a <c>SCAN MATCH</c> and a <c>DEL</c>. Redis's
/// <c>maxmemory-policy</c> bounds the size, not this class.
/// </summary>
public sealed class RedisExactCacheStore(IConnectionMultiplexer redis, string prefix = RedisExactCacheStore.DefaultPrefix) : IExactCacheStore
{
    public const string DefaultPrefix = "switchboard:cache:x:";

    public string Name => "redis";

    public async ValueTask<ReadOnlyMemory<byte>?> GetAsync(string key, CacheTags tags, CancellationToken cancellationToken)
    {
        var stored = await redis.GetDatabase().StringGetAsync(DataKey(tags, key));
        return stored.IsNull ? null : (ReadOnlyMemory<byte>?)(byte[])stored!;
    }

    public async ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CacheTags tags, TimeSpan ttl, CancellationToken cancellationToken) =>
        await redis.GetDatabase().StringSetAsync(DataKey(tags, key), value, ttl);

    public async ValueTask<long> PurgeAsync(CachePurge purge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(purge);
        var pattern = prefix + "d:" + (purge.Namespace is null ? "*" : Encode(purge.Namespace)) + ":" + (purge.Model is null ? "*" : Encode(purge.Model)) + ":*";
        long removed = 0;
        var database = redis.GetDatabase();
        foreach (var server in redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            var batch = new List<RedisKey>(256);
            await foreach (var key in server.KeysAsync(database.Database, pattern, pageSize: 500).WithCancellation(cancellationToken))
            {
                batch.Add(key);
                if (batch.Count == 256)
                {
                    removed += await database.KeyDeleteAsync([.. batch]);
                    batch.Clear();
                }
            }

            if (batch.Count > 0)
            {
                removed += await database.KeyDeleteAsync([.. batch]);
            }
        }

        return removed;
    }

    public async ValueTask<CacheSize> GetSizeAsync(CancellationToken cancellationToken)
    {
        long entries = 0, bytes = 0;
        var database = redis.GetDatabase();
        foreach (var server in redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(database.Database, prefix + "d:*", pageSize: 500).WithCancellation(cancellationToken))
            {
                entries++;
                bytes += await database.StringLengthAsync(key);
            }
        }

        return new CacheSize(entries, bytes);
    }

    private string DataKey(CacheTags tags, string key) => prefix + "d:" + Encode(tags.Namespace) + ":" + Encode(tags.Model) + ":" + key;

    private static string Encode(string value) => value.Length == 0 ? "-" : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(value));
}
