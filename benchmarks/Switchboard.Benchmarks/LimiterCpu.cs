using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Switchboard.Limits;
using Switchboard.OpenAI;
using Switchboard.Tokens;

namespace Switchboard.Benchmarks;

/// <summary>
/// CPU time (not wall time) per operation of the limiter's hot path, one thread, in one run: on a machine shared
/// with other work a wall-clock benchmark counts the time spent waiting for a core, CPU time does not.
/// <c>dotnet run -c Release --project benchmarks/Switchboard.Benchmarks -- limits-cpu [redis host:port]</c>
/// </summary>
public static class LimiterCpu
{
    public static async Task RunAsync(string[] args)
    {
        RateLimit[] limits =
        [
            new(LimitScope.Key, "key_bench", 1_000_000_000, 1_000_000_000_000),
            new(LimitScope.User, "key_bench/alice", 1_000_000_000, 1_000_000_000_000),
            new(LimitScope.Model, "gpt-4o-mini", 1_000_000_000, 1_000_000_000_000),
        ];
        var request = new AdmissionRequest { Limits = limits, EstimatedTokens = 40 };
        var withBudget = request with { Budget = new BudgetLimit("key_bench", PerDay: 1_000_000m) };
        using var memory = new MemoryLimitStore(new LimiterSettings(), NoSpendSource.Instance, TimeProvider.System);
        List<ChatMessage> messages = [ChatMessage.System("You are a helpful assistant."), ChatMessage.User("Say hello to the people in the channel and ask how their day went.")];

        Report("memory: admit + settle, 3 limits x RPM/TPM", 1_000_000, () => memory.Settle(memory.AdmitAsync(request, default).Result, 35, 0));
        Report("memory: admit + settle, 3 limits + daily budget", 1_000_000, () => memory.Settle(memory.AdmitAsync(withBudget, default).Result, 35, 1_000));
        Report("token estimate: 2-message prompt (o200k)", 200_000, () => TiktokenTokenCounter.Instance.CountPromptTokens(messages));

        if (args.Length > 0)
        {
            var settings = new LimiterSettings { RedisPrefix = "bench-" + Guid.NewGuid().ToString("N") };
            await using var connection = (ConnectionMultiplexer)RedisConnection.Connect(args[0], TimeSpan.FromSeconds(5));
            var redis = new RedisLimitStore(connection, settings, new MemoryLimitStore(settings, NoSpendSource.Instance, TimeProvider.System), NoSpendSource.Instance, TimeProvider.System, NullLogger<RedisLimitStore>.Instance);
            await ReportAsync("redis: admit + settle, 3 limits x RPM/TPM", 20_000, async () => redis.Settle(await redis.AdmitAsync(request, default), 35, 0));
            await ReportAsync("redis: admit + settle, 3 limits + daily budget", 20_000, async () => redis.Settle(await redis.AdmitAsync(withBudget, default), 35, 1_000));
        }
    }

    private static void Report(string name, int count, Action operation)
    {
        for (var i = 0; i < count / 10; i++)
        {
            operation();
        }

        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            operation();
        }

        process.Refresh();
        Print(name, count, process.TotalProcessorTime - cpu, wall.Elapsed);
    }

    private static async Task ReportAsync(string name, int count, Func<Task> operation)
    {
        for (var i = 0; i < count / 10; i++)
        {
            await operation();
        }

        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            await operation();
        }

        process.Refresh();
        Print(name, count, process.TotalProcessorTime - cpu, wall.Elapsed);
    }

    private static void Print(string name, int count, TimeSpan cpu, TimeSpan wall) =>
        Console.WriteLine($"| {name} | {cpu.TotalMicroseconds / count:0.00} µs | {wall.TotalMicroseconds / count:0.00} µs | {count} |");
}
