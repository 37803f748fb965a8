using System.Diagnostics;
using System.Globalization;
using Switchboard.Caching.Embeddings;
using Switchboard.Caching.Vectors;

namespace Switchboard.Benchmarks;

/// <summary>
/// HNSW inserts and searches in CPU time (what a crowded machine does not distort much): the graph alone, and inserts
/// through the <see cref="Switchboard.Caching.Semantic.SemanticCache"/> (guard analysis and store included). The A/B
/// against the first version (docs/benchmarks.md) ran with it beside this one at commit 94aef55.
/// </summary>
public static class HnswBuild
{
    private const int Dimensions = 384;

    public static void Run(string[] args)
    {
        var size = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5_000;
        var vectors = ClusteredVectors.Create(size + 500, 11, Dimensions);
        var entries = vectors.Take(size).ToList();
        var queries = vectors.Skip(size).ToList();
        var flat = new FlatVectorIndex(Dimensions);
        for (var i = 0; i < entries.Count; i++)
        {
            flat.Add(i, entries[i]);
        }

        var truth = queries.Select(q => flat.Search(q, 1, -1f)[0].Id).ToArray();
        for (var round = 0; round < 2; round++)
        {
            Measure("graph", new HnswVectorIndex(Dimensions), entries, queries, truth);
            MeasureCache(entries);
        }
    }

    private static void Measure(string name, IVectorIndex index, List<float[]> entries, List<float[]> queries, long[] truth)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < entries.Count; i++)
        {
            index.Add(i, entries[i]);
        }

        var wall = Stopwatch.GetElapsedTime(started);
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
        var searchCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var found = 0;
        for (var repeat = 0; repeat < 4; repeat++)
        {
            found = queries.Select((q, i) => index.Search(q, 1, -1f)[0].Id == truth[i]).Count(x => x);
        }

        var perSearch = (Process.GetCurrentProcess().TotalProcessorTime - searchCpu).TotalMilliseconds * 1000 / (queries.Count * 4);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-9} {entries.Count:N0} inserts: wall {wall.TotalMilliseconds / entries.Count * 1000:0} µs/insert, cpu {cpuUsed.TotalMilliseconds / entries.Count * 1000:0} µs/insert, {bytes / entries.Count:N0} B/insert, recall@1 {(double)found / queries.Count:P1}, search cpu {perSearch:0} µs"));
    }

    private static void MeasureCache(List<float[]> entries)
    {
        var cache = new Switchboard.Caching.Semantic.SemanticCache(
            new Switchboard.Caching.Configuration.SemanticCacheOptions { Enabled = true, ExactSearchLimit = 0, MaxEntries = int.MaxValue },
            new FixedEmbedder(),
            new Switchboard.Caching.Semantic.MemorySemanticCacheStore(),
            TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Switchboard.Caching.Semantic.SemanticCache>.Instance);
        var answer = new byte[600];
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < entries.Count; i++)
        {
            cache.StoreAsync(new Switchboard.Caching.Semantic.SemanticQuery("ns", "model", "scope", "entry " + i.ToString(CultureInfo.InvariantCulture)), entries[i], answer, default).AsTask().GetAwaiter().GetResult();
        }

        var wall = Stopwatch.GetElapsedTime(started);
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"cache",-9} {entries.Count:N0} stores: wall {wall.TotalMilliseconds / entries.Count * 1000:0} µs/store, cpu {cpuUsed.TotalMilliseconds / entries.Count * 1000:0} µs/store"));
    }

    private sealed class FixedEmbedder : ITextEmbedder
    {
        public string Name => "bench";

        public int Dimensions => HnswBuild.Dimensions;

        public ValueTask<float[]> EmbedAsync(string text, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
