using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Switchboard.LoadTest;

/// <summary>A server to load: its chat URL, extra headers, and the process whose CPU and memory to watch.</summary>
internal sealed record Target(string Name, Uri Url, IReadOnlyList<KeyValuePair<string, string>> Headers, int? Pid);

/// <summary>One measurement: plain or streamed requests (or paced streams) at a fixed concurrency.</summary>
internal sealed record Scenario(string Kind, int Concurrency)
{
    public bool IsStream => Kind is "stream" or "paced" or "mixed";

    public static Scenario Parse(string text)
    {
        var parts = text.Split(':');
        return new Scenario(parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    public override string ToString() => $"{Kind}:c{Concurrency}";
}

/// <summary>The figures of one scenario against one target.</summary>
internal sealed record Measurement
{
    /// <summary>The measurements of a results file (JSON lines, as <c>loadtest run --out</c> appends them).</summary>
    public static List<Measurement> ReadAll(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<Measurement>(l)!).ToList();

    public required string Label { get; init; }
    public required string Target { get; init; }
    public required string Kind { get; init; }
    public required int Concurrency { get; init; }
    public required double Seconds { get; init; }
    public required long Requests { get; init; }
    public required long Errors { get; init; }
    public string? FirstError { get; init; }
    public double Rps { get; init; }
    public double P50Ms { get; init; }
    public double P90Ms { get; init; }
    public double P99Ms { get; init; }
    public double MaxMs { get; init; }

    /// <summary>
    /// p99 after wrk's coordinated-omission correction: each request slower than twice the mean interval between one
    /// worker's requests also counts as the requests an open-loop client would have sent during it (wrk applies this
    /// to every figure it prints; the raw percentiles above do not).
    /// </summary>
    public double P99CorrectedMs { get; init; }

    /// <summary>Requests slower than 1 ms (raw): the stalls that make a corrected tail.</summary>
    public long SlowerThan1Ms { get; init; }
    public double? TtftP50Ms { get; init; }
    public double? TtftP99Ms { get; init; }
    public double? TargetCpuUsPerRequest { get; init; }
    public double? TargetCpuPercent { get; init; }
    public double? UpstreamCpuUsPerRequest { get; init; }
    public double ClientCpuUsPerRequest { get; init; }
    public double MachineCpuPercent { get; init; }

    /// <summary>The machine's CPU used by processes outside the benchmark, in % of all cores: above a few %, the figures are disturbed.</summary>
    public double OtherCpuPercent { get; init; }
    public double? RssStartMiB { get; init; }
    public double? RssEndMiB { get; init; }
    public double? RssMaxMiB { get; init; }
    public IReadOnlyList<double>? RssSeriesMiB { get; init; }
}

/// <summary>
/// Closed-loop load: <c>concurrency</c> workers, each with its own keep-alive connection, send one request
/// after another for a fixed time (after a warm-up whose figures are dropped). Every loop is bounded by the
/// clock and every request by a timeout, so a run always ends by itself.
/// </summary>
internal sealed class LoadRunner : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpClient _client;

    public LoadRunner()
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        _client = new HttpClient(handler) { Timeout = RequestTimeout };
        _client.DefaultRequestHeaders.ExpectContinue = false;
    }

    public int? UpstreamPid { get; init; }

    /// <summary>
    /// Requests per second over all workers, or null for as fast as each worker can (closed loop). At a rate every
    /// target sustains, targets are compared at one operating point: run flat out, a slower target also idles and
    /// wakes more per request, and every process on the machine then spends more CPU per request (the upstream's and
    /// the load tool's own figures rise with it), which is not the target's work.
    /// </summary>
    public double? RatePerSecond { get; init; }

    /// <summary>Every process of the benchmark (targets, upstream); with this one, the rest of the machine's CPU is someone else's.</summary>
    public IReadOnlyList<int> KnownPids { get; init; } = [];

    public async Task<Measurement> RunAsync(string label, Target target, Scenario scenario, Func<Scenario, int, (byte[] Body, bool Stream)> bodies, TimeSpan warmup, TimeSpan duration)
    {
        if (!IPAddress.TryParse(target.Url.Host, out var address) ? target.Url.Host != "localhost" : !IPAddress.IsLoopback(address))
        {
            throw new InvalidOperationException($"{target.Url} is not a loopback address; this tool only loads 127.0.0.0/8, ::1 and localhost.");
        }

        await WaitForQuietAsync();
        if (warmup > TimeSpan.Zero)
        {
            await RunWorkersAsync(target, scenario, bodies, warmup);
        }

        var targetCpu = target.Pid is { } pid ? ProcStats.CpuSeconds(pid) : null;
        var upstreamCpu = UpstreamPid is { } upid ? ProcStats.CpuSeconds(upid) : null;
        var clientCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var machine = ProcStats.MachineTicks();
        var known = KnownCpuSeconds();
        var rss = new List<double>();
        using var sampling = new CancellationTokenSource();
        var every = duration >= TimeSpan.FromSeconds(30) ? TimeSpan.FromSeconds(1) : TimeSpan.FromMilliseconds(500);
        var sampler = target.Pid is { } rssPid ? SampleRssAsync(rssPid, rss, every, sampling.Token) : Task.CompletedTask;

        var started = Stopwatch.GetTimestamp();
        var workers = await RunWorkersAsync(target, scenario, bodies, duration);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

        await sampling.CancelAsync();
        await sampler;
        var targetCpuAfter = target.Pid is { } pid2 ? ProcStats.CpuSeconds(pid2) : null;
        var upstreamCpuAfter = UpstreamPid is { } upid2 ? ProcStats.CpuSeconds(upid2) : null;
        var clientCpuAfter = Process.GetCurrentProcess().TotalProcessorTime;
        var machineAfter = ProcStats.MachineTicks();
        var knownAfter = KnownCpuSeconds();
        var machinePercent = 100.0 * (machineAfter.Busy - machine.Busy) / Math.Max(1, machineAfter.Total - machine.Total);
        var knownPercent = 100.0 * (knownAfter - known) / (seconds * Environment.ProcessorCount);

        var latencies = workers.SelectMany(w => w.Latencies).ToArray();
        var ttfts = workers.SelectMany(w => w.Ttfts).ToArray();
        Array.Sort(latencies);
        Array.Sort(ttfts);
        var ok = latencies.Length;
        var errors = workers.Sum(w => w.Errors);
        double? PerRequest(double? before, double? after) => before is { } b && after is { } a && ok > 0 ? (a - b) * 1e6 / ok : null;

        return new Measurement
        {
            Label = label,
            Target = target.Name,
            Kind = scenario.Kind,
            Concurrency = scenario.Concurrency,
            Seconds = Math.Round(seconds, 2),
            Requests = ok,
            Errors = errors,
            FirstError = workers.Select(w => w.FirstError).FirstOrDefault(e => e is not null),
            Rps = Math.Round(ok / seconds, 1),
            P50Ms = Percentile(latencies, 0.50),
            P90Ms = Percentile(latencies, 0.90),
            P99Ms = Percentile(latencies, 0.99),
            MaxMs = latencies.Length == 0 ? 0 : ToMs(latencies[^1]),
            P99CorrectedMs = Percentile(CorrectedForOmission(latencies, (long)(seconds * Stopwatch.Frequency * scenario.Concurrency / Math.Max(1, ok))), 0.99),
            SlowerThan1Ms = latencies.LongCount(l => l > Stopwatch.Frequency / 1000),
            TtftP50Ms = scenario.IsStream ? Percentile(ttfts, 0.50) : null,
            TtftP99Ms = scenario.IsStream ? Percentile(ttfts, 0.99) : null,
            TargetCpuUsPerRequest = Round(PerRequest(targetCpu, targetCpuAfter)),
            TargetCpuPercent = targetCpu is { } tb && targetCpuAfter is { } ta ? Math.Round((ta - tb) * 100 / seconds, 1) : null,
            UpstreamCpuUsPerRequest = Round(PerRequest(upstreamCpu, upstreamCpuAfter)),
            ClientCpuUsPerRequest = Round(PerRequest(clientCpu.TotalSeconds, clientCpuAfter.TotalSeconds)) ?? 0,
            MachineCpuPercent = Math.Round(machinePercent, 1),
            OtherCpuPercent = Math.Round(Math.Max(0, machinePercent - knownPercent), 1),
            RssStartMiB = rss.Count > 0 ? Math.Round(rss[0], 1) : null,
            RssEndMiB = rss.Count > 0 ? Math.Round(rss[^1], 1) : null,
            RssMaxMiB = rss.Count > 0 ? Math.Round(rss.Max(), 1) : null,
            RssSeriesMiB = scenario.Kind == "mixed" ? [.. rss.Select(r => Math.Round(r, 1))] : null,
        };
    }

    /// <summary>At most this long, wait before a measurement until processes outside the benchmark use little CPU.</summary>
    public TimeSpan QuietWait { get; init; } = TimeSpan.FromSeconds(60);

    private async Task WaitForQuietAsync()
    {
        var waited = Stopwatch.StartNew();
        var said = false;
        while (true)
        {
            var machine = ProcStats.MachineTicks();
            var known = KnownCpuSeconds();
            await Task.Delay(1000);
            var machineAfter = ProcStats.MachineTicks();
            var busy = 100.0 * (machineAfter.Busy - machine.Busy) / Math.Max(1, machineAfter.Total - machine.Total);
            var other = busy - (100.0 * (KnownCpuSeconds() - known) / Environment.ProcessorCount);
            if (other < 10 || waited.Elapsed >= QuietWait)
            {
                if (said)
                {
                    Console.WriteLine(other < 10 ? $"  (quiet after {waited.Elapsed.TotalSeconds:0} s)" : $"  (still {other:0}% busy after {waited.Elapsed.TotalSeconds:0} s; measuring anyway)");
                }

                return;
            }

            if (!said)
            {
                Console.WriteLine($"  other processes use {other:0}% of the machine; waiting up to {QuietWait.TotalSeconds:0} s for quiet");
                said = true;
            }
        }
    }

    private double KnownCpuSeconds() =>
        Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds + KnownPids.Sum(pid => ProcStats.CpuSeconds(pid) ?? 0);

    public static async Task SampleRssAsync(int pid, List<double> into, TimeSpan every, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            if (ProcStats.RssMiB(pid) is { } mib)
            {
                lock (into)
                {
                    into.Add(mib);
                }
            }

            try
            {
                await Task.Delay(every, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public async Task<WorkerResult[]> RunWorkersAsync(Target target, Scenario scenario, Func<Scenario, int, (byte[] Body, bool Stream)> bodies, TimeSpan duration)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, scenario.Concurrency)
            .Select(i => Task.Run(() => WorkerAsync(target, scenario, bodies, i, deadline)))
            .ToArray();
        return await Task.WhenAll(workers);
    }

    private async Task<WorkerResult> WorkerAsync(Target target, Scenario scenario, Func<Scenario, int, (byte[] Body, bool Stream)> bodies, int worker, long deadline)
    {
        var result = new WorkerResult();
        var buffer = new byte[16 * 1024];
        var sequence = worker;
        // With a rate, worker i sends its k-th request at (k × concurrency + i) / rate seconds, or at once when behind.
        long interval = 0, due = 0;
        if (RatePerSecond is { } rate)
        {
            interval = (long)(Stopwatch.Frequency * scenario.Concurrency / rate);
            due = Stopwatch.GetTimestamp() + (long)(Stopwatch.Frequency * worker / rate);
        }

        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (interval > 0)
            {
                var early = due - Stopwatch.GetTimestamp();
                if (early > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds((double)early / Stopwatch.Frequency));
                }

                due += interval;
            }

            var (body, isStream) = bodies(scenario, sequence);
            sequence += scenario.Concurrency;
            var start = Stopwatch.GetTimestamp();
            long firstToken = 0;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = Json;
                foreach (var (name, value) in target.Headers)
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }

                using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                await using var stream = await response.Content.ReadAsStreamAsync();
                var scanner = new StreamScanner();
                int read;
                while ((read = await stream.ReadAsync(buffer)) > 0)
                {
                    if (isStream && scanner.Feed(buffer.AsSpan(0, read)))
                    {
                        firstToken = Stopwatch.GetTimestamp();
                    }
                }

                var end = Stopwatch.GetTimestamp();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    result.Fail($"HTTP {(int)response.StatusCode}");
                    continue;
                }

                if (isStream && (!scanner.SawDone || !scanner.SawContent))
                {
                    result.Fail("stream without content or [DONE]");
                    continue;
                }

                result.Latencies.Add(end - start);
                if (firstToken != 0)
                {
                    result.Ttfts.Add(firstToken - start);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
            {
                result.Fail(ex.GetType().Name + ": " + ex.Message);
                await Task.Delay(10);
            }
        }

        return result;
    }

    /// <summary>
    /// The samples plus, for each one of at least twice <paramref name="interval"/>, the latencies the requests queued
    /// behind it would have seen (value − interval, value − 2·interval, … while above one interval), as wrk does.
    /// </summary>
    private static long[] CorrectedForOmission(long[] sorted, long interval)
    {
        if (interval <= 0)
        {
            return sorted;
        }

        var corrected = new List<long>(sorted.Length);
        foreach (var value in sorted)
        {
            corrected.Add(value);
            for (var queued = value - interval; value >= 2 * interval && queued > interval; queued -= interval)
            {
                corrected.Add(queued);
            }
        }

        corrected.Sort();
        return [.. corrected];
    }

    private static double Percentile(long[] sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(p * sorted.Length) - 1;
        return ToMs(sorted[Math.Clamp(rank, 0, sorted.Length - 1)]);
    }

    private static double ToMs(long ticks) => Math.Round(ticks * 1000.0 / Stopwatch.Frequency, 3);

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 1) : null;

    public void Dispose() => _client.Dispose();

    internal sealed class WorkerResult
    {
        public List<long> Latencies { get; } = new(4096);
        public List<long> Ttfts { get; } = new(1024);
        public long Errors { get; private set; }
        public string? FirstError { get; private set; }

        public void Fail(string error)
        {
            Errors++;
            FirstError ??= error;
        }
    }
}
