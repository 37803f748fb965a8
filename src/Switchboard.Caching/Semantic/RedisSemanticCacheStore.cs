using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using StackExchange.Redis;

namespace Switchboard.Caching.Semantic;

/// <summary>
/// Semantic entries in Redis, shared by replicas: one hash per entry (expiring with the entry) and a sorted
/// set of ids by creation time, which replicas read from to pick up each other's entries.
/// </summary>
public sealed class RedisSemanticCacheStore(IConnectionMultiplexer redis, string prefix = RedisSemanticCacheStore.DefaultPrefix) : ISemanticCacheStore
{
    public const string DefaultPrefix = "switchboard:cache:s:";

    private RedisKey IndexKey => prefix + "ids";

    public string Name => "redis";

    public async ValueTask AddAsync(SemanticEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var database = redis.GetDatabase();
        var key = EntryKey(entry.Id);
        var transaction = database.CreateTransaction();
        _ = transaction.HashSetAsync(key,
        [
            new HashEntry("ns", entry.Namespace),
            new HashEntry("model", entry.Model),
            new HashEntry("scope", entry.Scope),
            new HashEntry("vector", MemoryMarshal.AsBytes(entry.Vector.AsSpan()).ToArray()),
            new HashEntry("text", entry.Text),
            new HashEntry("created", entry.CreatedAt.ToUnixTimeMilliseconds()),
            new HashEntry("expires", entry.ExpiresAt.ToUnixTimeMilliseconds()),
            new HashEntry("answer", entry.Answer),
        ]);
        _ = transaction.KeyExpireAsync(key, entry.ExpiresAt.UtcDateTime);
        _ = transaction.SortedSetAddAsync(IndexKey, entry.Id, entry.CreatedAt.ToUnixTimeMilliseconds());
        await transaction.ExecuteAsync();
    }

    public async ValueTask<ReadOnlyMemory<byte>?> GetAnswerAsync(long id, CancellationToken cancellationToken)
    {
        var answer = await redis.GetDatabase().HashGetAsync(EntryKey(id), "answer");
        return answer.IsNull ? null : (byte[])answer!;
    }

    public async IAsyncEnumerable<SemanticEntry> LoadAsync(DateTimeOffset since, DateTimeOffset now, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var database = redis.GetDatabase();
        var from = since == DateTimeOffset.MinValue ? double.NegativeInfinity : since.ToUnixTimeMilliseconds();
        var ids = await database.SortedSetRangeByScoreAsync(IndexKey, from, double.PositiveInfinity);
        RedisValue[] fields = ["ns", "model", "scope", "vector", "text", "created", "expires"];
        foreach (var chunk in ids.Chunk(200))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = database.CreateBatch();
            var reads = chunk.Select(id => (Id: (long)id, Values: batch.HashGetAsync(EntryKey((long)id), fields))).ToList();
            batch.Execute();
            foreach (var (id, read) in reads)
            {
                var values = await read;
                if (values[0].IsNull || values[3].IsNull)
                {
                    continue;
                }

                var expires = DateTimeOffset.FromUnixTimeMilliseconds((long)values[6]);
                if (expires <= now)
                {
                    continue;
                }

                yield return new SemanticEntry
                {
                    Id = id,
                    Namespace = values[0]!,
                    Model = values[1]!,
                    Scope = values[2]!,
                    Vector = MemoryMarshal.Cast<byte, float>((byte[])values[3]!).ToArray(),
                    Text = values[4]!,
                    CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds((long)values[5]),
                    ExpiresAt = expires,
                };
            }
        }
    }

    public async ValueTask RemoveAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var database = redis.GetDatabase();
        foreach (var chunk in ids.Chunk(500))
        {
            await database.KeyDeleteAsync([.. chunk.Select(EntryKey)]);
            await database.SortedSetRemoveAsync(IndexKey, [.. chunk.Select(id => (RedisValue)id)]);
        }
    }

    public async ValueTask<long> PurgeAsync(CachePurge purge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(purge);
        var database = redis.GetDatabase();
        var ids = await database.SortedSetRangeByScoreAsync(IndexKey);
        var doomed = new List<long>();
        foreach (var chunk in ids.Chunk(200))
        {
            var batch = database.CreateBatch();
            var reads = chunk.Select(id => (Id: (long)id, Values: batch.HashGetAsync(EntryKey((long)id), ["ns", "model"]))).ToList();
            batch.Execute();
            foreach (var (id, read) in reads)
            {
                var values = await read;
                if (values[0].IsNull || purge.Matches(values[0]!, values[1]!))
                {
                    doomed.Add(id);
                }
            }
        }

        long removed = 0;
        foreach (var chunk in doomed.Chunk(500))
        {
            removed += await database.KeyDeleteAsync([.. chunk.Select(EntryKey)]);
            await database.SortedSetRemoveAsync(IndexKey, [.. chunk.Select(id => (RedisValue)id)]);
        }

        return removed;
    }

    public async ValueTask RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Entry hashes expire by themselves; ids older than the longest possible life are dropped from the index.
        var database = redis.GetDatabase();
        var ids = await database.SortedSetRangeByScoreAsync(IndexKey, double.NegativeInfinity, now.ToUnixTimeMilliseconds(), take: 1000);
        var gone = new List<RedisValue>();
        foreach (var id in ids)
        {
            if (!await database.KeyExistsAsync(EntryKey((long)id)))
            {
                gone.Add(id);
            }
        }

        if (gone.Count > 0)
        {
            await database.SortedSetRemoveAsync(IndexKey, [.. gone]);
        }
    }

    private RedisKey EntryKey(long id) => prefix + "e:" + id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
