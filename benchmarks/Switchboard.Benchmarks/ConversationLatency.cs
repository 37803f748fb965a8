using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Cli.Commands;
using Switchboard.Conversations.Service;
using Switchboard.Gateway;

namespace Switchboard.Benchmarks;

/// <summary>
/// The conversations service's own cost per message, at percentiles BenchmarkDotNet does not report: <c>serve</c> with
/// the built-in mock (<c>mock-echo</c>) and SQLite, a conversation held at 100 turns of history (<c>history_limit:
/// 100</c>). In process, each message's overhead is its whole time less the pipeline call's own
/// (<c>GatewayContext.Duration</c>): lock, read, window, cleaning, topics, the write. Over HTTP, <c>POST /chat</c> and a
/// plain <c>POST /v1/chat/completions</c> with the same 100-message prompt, alternated.
/// </summary>
public static class ConversationLatency
{
    public static async Task RunAsync(string[] args)
    {
        var messages = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2_000;
        var folder = Directory.CreateTempSubdirectory("switchboard-conversation-bench-").FullName;
        try
        {
            var config = Path.Combine(folder, "switchboard.yaml");
            await File.WriteAllTextAsync(config, $$"""
                providers: [{name: mock, type: mock}]
                models: [{name: mock-echo, deployments: [{provider: mock, model: mock-echo}], context_window: 32768}]
                database: {connection: "Data Source={{Path.Combine(folder, "bench.db")}}"}
                conversations: {history_limit: 100, max_tokens: 256}
                """);
            var app = GatewayHost.Build(new GatewayHostOptions
            {
                ConfigPath = config,
                Host = "127.0.0.1",
                Port = 0,
                Environment = new Dictionary<string, string?>(),
                ConfigureServices = BuiltInProviders.Register,
                Features = BuiltInProviders.Features,
            });
            await app.StartAsync();
            try
            {
                Console.WriteLine($"conversations overhead, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {messages} messages at 100 turns of history (SQLite), load average {LoadAverage()}");
                // Over HTTP first: it also warms up (JIT tiers, pools) what the in-process run then measures.
                await OverHttpAsync(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First(), messages);
                await InProcessAsync(app.Services.GetRequiredService<ConversationService>(), messages);
                Console.WriteLine();
                var wal = new FileInfo(Path.Combine(folder, "bench.db-wal"));
                Console.WriteLine($"load average at the end: {LoadAverage()}; WAL {(wal.Exists ? wal.Length / 1048576.0 : 0):0.0} MB (SQLite's own checkpoints kept it near 4 MB; it must not grow with the run)");
            }
            finally
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task InProcessAsync(ConversationService service, int messages)
    {
        var headers = new Dictionary<string, string>();
        var overhead = new List<double>(messages);
        var total = new List<double>(messages);
        var cpu = new List<double>(messages);
        var split = new List<double[]>(messages);
        var phases = new ChatPhases();
        service.Phases = phases;
        long allocated = 0;
        int gen0 = 0, gen1 = 0, gen2 = 0;
        double pauses = 0;
        var hopped = 0;
        // Fill the history to its limit first (100 turns), so every measured message reads and trims 100 turns.
        for (var i = -200; i < messages; i++)
        {
            if (i == 0)
            {
                allocated = GC.GetTotalAllocatedBytes(precise: true);
                (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
                pauses = GC.GetTotalPauseDuration().TotalMicroseconds;
            }

            var input = new ChatInput("bench", i % 3 == 0 ? "ann" : "bob", Message(i), [], null, null, null);
            var thread = Environment.CurrentManagedThreadId;
            var cpuStarted = ThreadCpu.Now();
            var started = Stopwatch.GetTimestamp();
            var outcome = await service.ChatAsync(input, headers, null, null, CancellationToken.None);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            var cpuElapsed = (ThreadCpu.Now() - cpuStarted).TotalMicroseconds;
            if (outcome.Error is not null)
            {
                throw new InvalidOperationException(outcome.Error.Message);
            }

            if (i >= 0)
            {
                var pipeline = outcome.Context!.Duration!.Value.TotalMicroseconds;
                total.Add(elapsed);
                overhead.Add(elapsed - pipeline);
                // Thread CPU means something only when the whole message ran on this thread (SQLite and the mock answer synchronously).
                if (thread == Environment.CurrentManagedThreadId)
                {
                    cpu.Add(cpuElapsed);
                }
                else
                {
                    hopped++;
                }

                var us = Stopwatch.Frequency / 1_000_000.0;
                var reply = (phases.Reply / us) - pipeline;
                double[] row = [elapsed - pipeline, phases.Lock / us, phases.Load / us, phases.Plan / us, reply, phases.Save / us, phases.Finish / us, 0];
                row[^1] = row[0] - row[1..^1].Sum();
                split.Add(row);
            }
        }

        service.Phases = null;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        Console.WriteLine();
        Console.WriteLine("| in process (ConversationService.ChatAsync) | p50 | p90 | p99 | max |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        Print("service overhead per message (whole − pipeline call)", overhead);
        Print("whole message, pipeline (mock-echo) included", total);
        if (cpu.Count > 0)
        {
            Print($"thread CPU per whole message ({cpu.Count} of {messages} ran on one thread)", cpu);
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"messages whose overhead passed 1 ms: {overhead.Count(v => v > 1000)} of {messages}; whose save passed 1 ms: {split.Count(r => r[5] > 1000)}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"per message: {allocated / (double)messages / 1024:0.0} KB allocated; GCs over the run: gen0 {GC.CollectionCount(0) - gen0}, gen1 {GC.CollectionCount(1) - gen1}, gen2 {GC.CollectionCount(2) - gen2}, pauses {(GC.GetTotalPauseDuration().TotalMicroseconds - pauses) / 1000:0.0} ms in all; {hopped} messages changed threads"));

        // Where the overhead goes: each phase's percentiles, and the mean split of the slowest 1 % (the tail).
        string[] names = ["overhead", "lock", "load (row; turns if stale)", "plan (count, window)", "reply − pipeline call (context, cleaning)", "save (both turns, row)", "finish (topics, reply)", "lock release, rest"];
        Console.WriteLine();
        Console.WriteLine("| phase (µs) | p50 | p90 | p99 | max | mean | mean in slowest 1 % |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        var slowest = split.OrderByDescending(r => r[0]).Take(Math.Max(1, split.Count / 100)).ToList();
        for (var c = 0; c < names.Length; c++)
        {
            var column = split.Select(r => r[c]).OrderBy(v => v).ToList();
            var line = new StringBuilder().Append("| ").Append(names[c]);
            foreach (var p in new[] { 0.5, 0.9, 0.99, 1.0 })
            {
                line.Append(" | ").Append(P(column, p).ToString("0", CultureInfo.InvariantCulture));
            }

            line.Append(" | ").Append(column.Average().ToString("0", CultureInfo.InvariantCulture));
            line.Append(" | ").Append(slowest.Average(r => r[c]).ToString("0", CultureInfo.InvariantCulture));
            Console.WriteLine(line.Append(" |"));
        }
    }

    private static async Task OverHttpAsync(string baseUrl, int messages)
    {
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
        var history = new List<object> { new { role = "system", content = "" } };
        for (var i = 0; i < 100; i++)
        {
            history.Add(i % 2 == 0 ? new { role = "user", content = "ann: " + Message(i) } : new { role = "assistant", content = Message(i) });
        }

        var chat = new List<double>(messages);
        var plain = new List<double>(messages);
        for (var i = -200; i < messages; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using (var response = await http.PostAsJsonAsync("/chat", new { username = "ann", message = Message(i), conversation = "bench-http" }))
            {
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync();
            }

            var chatElapsed = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            started = Stopwatch.GetTimestamp();
            history[^1] = new { role = "user", content = "ann: " + Message(i) };
            using (var response = await http.PostAsJsonAsync("/v1/chat/completions", new { model = "mock-echo", max_tokens = 256, messages = history }))
            {
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync();
            }

            if (i >= 0)
            {
                chat.Add(chatElapsed);
                plain.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            }
        }

        Console.WriteLine();
        Console.WriteLine("| over HTTP on loopback, alternated | p50 | p90 | p99 | max |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        Print("POST /chat (100 turns of history)", chat);
        Print("POST /v1/chat/completions (the same 101 messages)", plain);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string Message(int i) =>
        "message " + i.ToString(CultureInfo.InvariantCulture) + (i % 2 == 0 ? " about the pizza place downtown and whether it opens late tonight" : " with a question on the new game release and its price");

    private static void Print(string label, List<double> microseconds)
    {
        microseconds.Sort();
        var line = new StringBuilder().Append("| ").Append(label);
        foreach (var p in new[] { 0.5, 0.9, 0.99, 1.0 })
        {
            line.Append(" | ").Append((P(microseconds, p) / 1000).ToString("0.000", CultureInfo.InvariantCulture)).Append(" ms");
        }

        Console.WriteLine(line.Append(" |"));
    }

    private static double P(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
