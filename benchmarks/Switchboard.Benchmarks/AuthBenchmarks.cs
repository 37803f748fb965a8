using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Switchboard.Accounting;
using Switchboard.Data;
using Switchboard.Data.Keys;
using Switchboard.Gateway.Auth;

namespace Switchboard.Benchmarks;

/// <summary>
/// What auth and usage records add on the request path: hashing a presented key, a verified-key cache hit, the
/// master key's constant-time check, and building one usage record for the queue. (The database itself is off
/// the request path: a key is looked up once per <c>auth.key_cache_ttl</c>, records are written in batches.)
/// </summary>
[MemoryDiagnoser]
public class AuthBenchmarks
{
    private const string MasterKey = "bench-master-key-0123456789abcdef";
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("switchboard-bench-");
    private KeyAuthenticator _auth = null!;
    private string _key = null!;
    private readonly DroppingSink _sink = new();

    [GlobalSetup]
    public void Setup()
    {
        var database = new SwitchboardDatabase(new DatabaseOptions { Connection = $"Data Source={Path.Combine(_folder.FullName, "bench.db")}" });
        database.MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
        var store = new KeyStore(database, TimeProvider.System);
        _key = store.CreateAsync(new KeySpec { Name = "bench", AllowedModels = ["gpt-4o*"] }, CancellationToken.None).GetAwaiter().GetResult().Secret;
        _auth = new KeyAuthenticator(
            Options.Create(new AuthOptions { MasterKey = MasterKey, KeyCacheTtl = TimeSpan.FromHours(1) }),
            store,
            TimeProvider.System,
            NullLogger<KeyAuthenticator>.Instance);
        if (_auth.AuthenticateAsync(_key, CancellationToken.None).AsTask().GetAwaiter().GetResult().Identity is null)
        {
            throw new InvalidOperationException("the key did not verify");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    [Benchmark(Description = "KeyHasher.Hash (HMAC-SHA-256 of a key)")]
    public byte[] Hash() => KeyHasher.Hash(_key);

    [Benchmark(Baseline = true, Description = "virtual key, verified-key cache hit")]
    public bool VirtualKeyCacheHit()
    {
        var pending = _auth.AuthenticateAsync(_key, CancellationToken.None);
        return pending.IsCompletedSuccessfully && pending.Result.Identity is not null && _auth.IsModelAllowed(pending.Result.Identity, "gpt-4o-mini");
    }

    [Benchmark(Description = "master key (constant-time)")]
    public bool Master() => _auth.AuthenticateAsync(MasterKey, CancellationToken.None).Result.Identity is not null;

    [Benchmark(Description = "usage record built and queued")]
    public bool UsageRecord() => _sink.TryEnqueue(new UsageRecord
    {
        Timestamp = DateTimeOffset.UtcNow,
        RequestId = "req-0123456789",
        KeyId = "key_abcdefghijkl",
        User = "alice",
        RequestedModel = "gpt-4o-mini",
        ServedModel = "gpt-4o-mini",
        Provider = "upstream",
        Deployment = "upstream/gpt-4o-mini",
        InputTokens = 19,
        OutputTokens = 10,
        CostUsd = 0.0001475m,
        LatencyMs = 1.5,
        Attempts = 1,
        CacheResult = "bypass",
        Status = 200,
    });

    private sealed class DroppingSink : IUsageSink
    {
        private UsageRecord? _last;

        public bool TryEnqueue(UsageRecord record)
        {
            _last = record;
            return _last is not null;
        }
    }
}
