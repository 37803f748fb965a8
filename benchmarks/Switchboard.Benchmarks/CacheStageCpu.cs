using System.Globalization;

namespace Switchboard.Benchmarks;

/// <summary>
/// The cache stages' CPU per request measured as the calling thread's CPU time (<see cref="ThreadCpu"/>) over many
/// requests, scenarios interleaved round by round: on a crowded machine BenchmarkDotNet's wall-clock figures grow
/// with everyone else's load, CPU time much less. Same scenarios as <see cref="CacheStageBenchmarks"/>.
/// </summary>
public static class CacheStageCpu
{
    public static void Run(string[] args)
    {
        var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
        var bench = new CacheStageBenchmarks();
        bench.Setup();
        (string Name, Func<ValueTask<int>> Run)[] scenarios =
        [
            ("without cache", bench.WithoutCache),
            ("exact hit", bench.ExactHit),
            ("exact hit, replayed as a stream", bench.ExactHitReplayedAsStream),
            ("miss, answer stored", bench.MissAndStore),
            ("without cache, 20 KB prompt", bench.WithoutCacheLargePrompt),
            ("exact hit, 20 KB prompt", bench.ExactHitLargePrompt),
            ("  of which: request key", bench.KeyOnly),
            ("  of which: entry encoded (Brotli)", bench.EncodeOnly),
            ("  of which: entry decoded", bench.DecodeOnly),
            ("  of which: answer parsed", bench.ParseOnly),
        ];
        var results = scenarios.ToDictionary(s => s.Name, _ => new List<double>());
        for (var round = 0; round < 6; round++)
        {
            foreach (var (name, run) in scenarios)
            {
                var count = name.Contains("20 KB", StringComparison.Ordinal) ? iterations / 10 : iterations;
                var started = ThreadCpu.Now();
                for (var i = 0; i < count; i++)
                {
                    run().AsTask().GetAwaiter().GetResult();
                }

                // Round 0 warms up (JIT tiers, caches) and is not counted.
                if (round > 0)
                {
                    results[name].Add((ThreadCpu.Now() - started).TotalMicroseconds / count);
                }
            }
        }

        Console.WriteLine($"cache stages, CPU µs per request (thread CPU time, median of 5 rounds), {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        foreach (var (name, values) in results)
        {
            values.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {values[values.Count / 2]:0.0} | {values[0]:0.0}–{values[^1]:0.0} |"));
        }
    }
}
