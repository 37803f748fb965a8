using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Switchboard.Limits;
using Switchboard.OpenAI;
using Switchboard.Tokens;

namespace Switchboard.Benchmarks;

/// <summary>
/// The limiter's hot path per request: admit against key, end-user and model limits (RPM and TPM) and settle
/// the real usage, in memory and in Redis (one script call; the correction is fire-and-forget), plus the
/// prompt token count that the estimate needs. Limits are high enough that nothing is refused.
/// Redis: <c>SWITCHBOARD_BENCH_REDIS=host:port</c> (or <c>SWITCHBOARD_TEST_REDIS</c>); without it the Redis
/// benchmarks fail in setup and the others still run.
/// </summary>
[MemoryDiagnoser]
public class LimiterBenchmarks
{
    private static readonly RateLimit[] Limits =
    [
        new(LimitScope.Key, "key_bench", 1_000_000_000, 1_000_000_000_000),
        new(LimitScope.User, "key_bench/alice", 1_000_000_000, 1_000_000_000_000),
        new(LimitScope.Model, "gpt-4o-mini", 1_000_000_000, 1_000_000_000_000),
    ];

    private static readonly BudgetLimit Budget = new("key_bench", PerDay: 1_000_000m);

    private MemoryLimitStore _memory = null!;
    private RedisLimitStore? _redis;
    private ConnectionMultiplexer? _connection;
    private AdmissionRequest _request = null!;
    private AdmissionRequest _withBudget = null!;
    private List<ChatMessage> _messages = null!;

    [GlobalSetup]
    public void Setup()
    {
        _memory = new MemoryLimitStore(new LimiterSettings(), NoSpendSource.Instance, TimeProvider.System);
        _request = new AdmissionRequest { Limits = Limits, EstimatedTokens = 40 };
        _withBudget = _request with { Budget = Budget };
        _messages =
        [
            ChatMessage.System("You are a helpful assistant."),
            ChatMessage.User("Say hello to the people in the channel and ask how their day went."),
        ];
        TiktokenTokenCounter.Instance.CountPromptTokens(_messages);

        var redis = Environment.GetEnvironmentVariable("SWITCHBOARD_BENCH_REDIS") ?? Environment.GetEnvironmentVariable("SWITCHBOARD_TEST_REDIS");
        if (redis is not null)
        {
            var settings = new LimiterSettings { RedisPrefix = "bench-" + Guid.NewGuid().ToString("N") };
            _connection = (ConnectionMultiplexer)RedisConnection.Connect(redis, TimeSpan.FromSeconds(5));
            _redis = new RedisLimitStore(_connection, settings, new MemoryLimitStore(settings, NoSpendSource.Instance, TimeProvider.System), NoSpendSource.Instance, TimeProvider.System, NullLogger<RedisLimitStore>.Instance);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _memory.Dispose();
        _connection?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "memory: admit + settle, 3 limits x RPM/TPM")]
    public bool MemoryAdmitSettle()
    {
        var admission = _memory.AdmitAsync(_request, default).Result;
        _memory.Settle(admission, 35, 0);
        return admission.IsAdmitted;
    }

    [Benchmark(Description = "memory: admit + settle, 3 limits + daily budget")]
    public bool MemoryAdmitSettleBudget()
    {
        var admission = _memory.AdmitAsync(_withBudget, default).Result;
        _memory.Settle(admission, 35, 1_000);
        return admission.IsAdmitted;
    }

    [Benchmark(Description = "token estimate: count a 2-message prompt (o200k)")]
    public int CountPrompt() => TiktokenTokenCounter.Instance.CountPromptTokens(_messages);

    [Benchmark(Description = "redis: admit + settle, 3 limits x RPM/TPM (one round trip)")]
    public async Task<bool> RedisAdmitSettle()
    {
        var redis = _redis ?? throw new InvalidOperationException("Set SWITCHBOARD_BENCH_REDIS=host:port.");
        var admission = await redis.AdmitAsync(_request, default);
        redis.Settle(admission, 35, 0);
        return admission.IsAdmitted;
    }

    [Benchmark(Description = "redis: admit + settle, 3 limits + daily budget")]
    public async Task<bool> RedisAdmitSettleBudget()
    {
        var redis = _redis ?? throw new InvalidOperationException("Set SWITCHBOARD_BENCH_REDIS=host:port.");
        var admission = await redis.AdmitAsync(_withBudget, default);
        redis.Settle(admission, 35, 1_000);
        return admission.IsAdmitted;
    }
}
