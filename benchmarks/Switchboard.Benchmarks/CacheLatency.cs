using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Caching.Configuration;
using Switchboard.Caching.Embeddings;
using Switchboard.Caching.MiniLM;
using Switchboard.Caching.Semantic;

namespace Switchboard.Benchmarks;

/// <summary>
/// Latency percentiles of the semantic cache, which BenchmarkDotNet does not report at p99: the embedding of
/// one request with the built-in model, and a lookup (search, guard, answer read) in one scope of 1,000,
/// 10,000 and 100,000 entries, with the exact and the approximate index, and the approximate index's recall.
/// Each lookup is timed twice: wall clock, and the CPU time of the thread that ran it (what the code costs even
/// when a crowded machine preempts it).
/// </summary>
public static class CacheLatency
{
    private const int Dimensions = 384;

    public static async Task RunAsync(string[] args)
    {
        var sizes = args.Length > 0 ? args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [1_000, 10_000, 100_000];
        Console.WriteLine($"semantic cache latency, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores");
        await EmbeddingAsync();
        Console.WriteLine();
        Console.WriteLine("| entries | index | build (wall) | CPU per insert | lookup p50 (wall) | lookup p99 (wall) | lookup CPU p50 | lookup CPU p99 | recall@1 vs exact |");
        Console.WriteLine("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var size in sizes)
        {
            var vectors = ClusteredVectors.Create(size + 2_000, seed: size, Dimensions);
            var entries = vectors.Take(size).ToList();
            var queries = vectors.Skip(size).ToList();
            var exact = await MeasureAsync(entries, queries, exactSearchLimit: int.MaxValue, null);
            var approximate = await MeasureAsync(entries, queries, exactSearchLimit: 0, exact.Nearest);
            Print(size, "exact (SIMD)", exact);
            Print(size, "HNSW", approximate);
        }
    }

    private static async Task EmbeddingAsync()
    {
        using var embedder = new MiniLmEmbedder();
        embedder.WarmUp();
        string[] texts =
        [
            "How do I reset my password?", "What is the capital of France?", "Book 2 tickets to Paris for next Monday.",
            "Explain the difference between a process and a thread in an operating system, with an example.",
            "Can you summarize the following paragraph for me: the quick brown fox jumps over the lazy dog, again and again, until the dog wakes up.",
        ];
        var timings = new List<double>();
        for (var i = 0; i < 300; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await embedder.EmbedAsync(texts[i % texts.Length] + " " + i.ToString(CultureInfo.InvariantCulture), default);
            timings.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        timings.Sort();
        Console.WriteLine($"embedding (MiniLM, one request, 6-30 words): p50 {P(timings, 0.5):0.00} ms, p99 {P(timings, 0.99):0.00} ms, mean {timings.Average():0.00} ms");
    }

    private static async Task<Measurement> MeasureAsync(List<float[]> entries, List<float[]> queries, int exactSearchLimit, float[]? truth)
    {
        var embedder = new QueuedEmbedder();
        var options = new SemanticCacheOptions { Enabled = true, ExactSearchLimit = exactSearchLimit, MaxEntries = int.MaxValue, Threshold = 0.85 };
        var cache = new SemanticCache(options, embedder, new MemorySemanticCacheStore(), TimeProvider.System, NullLogger<SemanticCache>.Instance);
        var answer = new byte[600];
        var build = Stopwatch.StartNew();
        var buildCpu = ThreadCpu.Now();
        for (var i = 0; i < entries.Count; i++)
        {
            await cache.StoreAsync(new SemanticQuery("ns", "model", "scope", "entry " + i.ToString(CultureInfo.InvariantCulture)), entries[i], answer, default);
        }

        var buildCpuUsed = ThreadCpu.Now() - buildCpu;
        build.Stop();
        var timings = new List<double>(queries.Count);
        var cpuTimings = new List<double>(queries.Count);
        var nearest = new float[queries.Count];
        for (var i = 0; i < queries.Count; i++)
        {
            embedder.Next = queries[i];
            var cpu = ThreadCpu.Now();
            var started = Stopwatch.GetTimestamp();
            var lookup = await cache.LookupAsync(new SemanticQuery("ns", "model", "scope", "what is entry 7?"), default);
            timings.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            cpuTimings.Add((ThreadCpu.Now() - cpu).TotalMilliseconds);
            nearest[i] = lookup.Similarity;
        }

        timings.Sort();
        cpuTimings.Sort();
        // Recall@1: the lookup reports the similarity of the nearest entry it found; exact search's is the truth.
        var recall = truth is null ? (double?)null : nearest.Zip(truth).Count(p => Math.Abs(p.First - p.Second) < 1e-5) / (double)truth.Length;
        return new Measurement(build.Elapsed, buildCpuUsed.TotalMilliseconds * 1000 / entries.Count, P(timings, 0.5), P(timings, 0.99), P(cpuTimings, 0.5), P(cpuTimings, 0.99), recall, nearest);
    }

    private static void Print(int size, string index, Measurement m) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {size:N0} | {index} | {m.Build.TotalSeconds:0.0} s | {m.InsertCpuMicroseconds:0} µs | {m.P50 * 1000:0} µs | {m.P99 * 1000:0} µs | {m.CpuP50 * 1000:0} µs | {m.CpuP99 * 1000:0} µs | {(m.Recall is { } r ? r.ToString("P1", CultureInfo.InvariantCulture) : "(exact)")} |"));

    private static double P(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    private sealed record Measurement(TimeSpan Build, double InsertCpuMicroseconds, double P50, double P99, double CpuP50, double CpuP99, double? Recall, float[] Nearest);

    /// <summary>Hands out the vector set before each call, so a lookup measures the cache, not the model.</summary>
    private sealed class QueuedEmbedder : ITextEmbedder
    {
        public float[] Next { get; set; } = new float[CacheLatency.Dimensions];

        public string Name => "bench";

        public int Dimensions => CacheLatency.Dimensions;

        public ValueTask<float[]> EmbedAsync(string text, CancellationToken cancellationToken) => ValueTask.FromResult(Next);
    }
}
