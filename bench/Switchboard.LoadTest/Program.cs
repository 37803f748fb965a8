using System.Globalization;
using System.Text.Json;
using Switchboard.LoadTest;

// loadtest upstream --port N [--host 127.0.0.1]
// loadtest run --label L --out FILE.jsonl --scenarios plain:1,stream:32 [--duration 10] [--warmup 2]
//              [--bodies gateway|mock:N] [--upstream-pid PID] [--rate REQUESTS_PER_SECOND]
//              --target NAME=URL [--header NAME=Key:Value]... [--pid NAME=PID]... [--order given|reversed] [--together yes]
// loadtest fixtures --kind switchboard|mock-llm --count N --out FILE
// loadtest rasa --collection FILE --turns N --out DIR   (collection/*.json, mock-llm*.yaml, plain.bin, stream.bin)
// loadtest report --in FILE.jsonl [--out FILE.md]
// loadtest pairs --in FILE.jsonl [--base NAME]   (rounds = labels: each variant's CPU per request minus the base's, median)
var command = args.Length > 0 ? args[0] : "help";
var options = Options.Parse(args.Skip(1).ToArray());
try
{
    return command switch
    {
        "upstream" => await FastUpstream.RunAsync(options.One("host", "127.0.0.1"), options.Int("port", 18081)),
        "run" => await RunAsync(options),
        "fixtures" => WriteFixtures(options),
        "rasa" => WriteRasa(options),
        "report" => Report.Write(options.One("in"), options.OneOrNull("out")),
        "pairs" => Pairs.Write(options.One("in"), options.OneOrNull("base")),
        _ => Usage(),
    };
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync("loadtest: " + ex.Message);
    return 2;
}

static int Usage()
{
    Console.Error.WriteLine("usage: loadtest upstream|run|fixtures|report [options]  (see bench/run.sh)");
    return 2;
}

static int WriteFixtures(Options options)
{
    var count = options.Int("count", 10);
    var path = options.One("out");
    switch (options.One("kind"))
    {
        case "switchboard":
            Fixtures.WriteSwitchboard(path, count);
            break;
        case "mock-llm":
            Fixtures.WriteMockLlm(path, count);
            break;
        default:
            throw new ArgumentException("--kind is switchboard or mock-llm");
    }

    return 0;
}

static int WriteRasa(Options options)
{
    var turns = RasaTurns.Read(options.One("collection"), options.Int("turns", 19));
    var folder = options.One("out");
    Directory.CreateDirectory(folder);
    RasaTurns.WriteCollections(Path.Combine(folder, "collection"), turns);
    RasaTurns.WriteMockLlm(Path.Combine(folder, "mock-llm.yaml"), turns, catchAll: false);
    RasaTurns.WriteMockLlm(Path.Combine(folder, "mock-llm-catchall.yaml"), turns, catchAll: true);
    RasaTurns.WriteBodies(Path.Combine(folder, "plain.bin"), turns, stream: false);
    RasaTurns.WriteBodies(Path.Combine(folder, "stream.bin"), turns, stream: true);
    Console.WriteLine($"{turns.Count} Rasa turns in {folder}");
    return 0;
}

static async Task<int> RunAsync(Options options)
{
    var label = options.One("label");
    var output = options.One("out");
    var duration = TimeSpan.FromSeconds(options.Double("duration", 10));
    var warmup = TimeSpan.FromSeconds(options.Double("warmup", 2));
    var scenarios = options.One("scenarios").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Scenario.Parse).ToList();
    var bodySpec = options.One("bodies", "gateway");
    var bodies = bodySpec.StartsWith("mock:", StringComparison.Ordinal) ? Bodies.Mock(int.Parse(bodySpec[5..], CultureInfo.InvariantCulture))
        : bodySpec.StartsWith("rasa:", StringComparison.Ordinal) ? Bodies.Rasa(bodySpec[5..])
        : Bodies.Gateway;

    var headers = options.All("header").Select(h => h.Split('=', 2)).ToLookup(p => p[0], p => p[1]);
    var pids = options.All("pid").Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => int.Parse(p[1], CultureInfo.InvariantCulture));
    var targets = options.All("target").Select(t =>
    {
        var parts = t.Split('=', 2);
        var extra = headers[parts[0]].Select(h => h.Split(':', 2)).Select(kv => new KeyValuePair<string, string>(kv[0], kv[1])).ToList();
        return new Target(parts[0], new Uri(parts[1]), extra, pids.TryGetValue(parts[0], out var pid) ? pid : null);
    }).ToList();
    if (options.One("order", "given") == "reversed")
    {
        targets.Reverse();
    }

    if (targets.Count == 0 || scenarios.Count == 0)
    {
        throw new ArgumentException("give at least one --target and one scenario");
    }

    var upstreamPid = options.OneOrNull("upstream-pid") is { } u ? int.Parse(u, CultureInfo.InvariantCulture) : (int?)null;
    using var runner = new LoadRunner
    {
        UpstreamPid = upstreamPid,
        QuietWait = TimeSpan.FromSeconds(options.Double("quiet-wait", 60)),
        RatePerSecond = options.OneOrNull("rate") is { } rate ? double.Parse(rate, CultureInfo.InvariantCulture) : null,
        KnownPids = [.. pids.Values, .. options.All("other-pid").Select(p => int.Parse(p, CultureInfo.InvariantCulture)), .. upstreamPid is { } up ? new[] { up } : []],
    };
    var json = new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
    // Scenario by scenario, every target in turn, so slow drift of the machine affects all targets alike; or, with
    // --together yes, every target at once (each at --rate), so that they share every moment of the machine alike. Then
    // the load tool's and the upstream's CPU per request count every target's requests against each one's.
    var together = options.One("together", "no") == "yes";
    foreach (var scenario in scenarios)
    {
        var measured = together
            ? await Task.WhenAll(targets.Select(target => runner.RunAsync(label, target, scenario, bodies, warmup, duration)))
            : null;
        for (var i = 0; i < targets.Count; i++)
        {
            var target = targets[i];
            var m = measured?[i] ?? await runner.RunAsync(label, target, scenario, bodies, warmup, duration);
            await File.AppendAllTextAsync(output, JsonSerializer.Serialize(m, json) + "\n");
            var ttft = m.TtftP50Ms is { } t50 ? $" ttft p50 {t50:0.000} p99 {m.TtftP99Ms:0.000} ms" : string.Empty;
            var cpu = m.TargetCpuUsPerRequest is { } c ? $" cpu {c:0} µs/req" : string.Empty;
            var other = m.OtherCpuPercent >= 5 ? $"  OTHER LOAD {m.OtherCpuPercent:0}%" : string.Empty;
            Console.WriteLine($"{label,-10} {target.Name,-14} {scenario,-10} {m.Rps,9:0.0} req/s  p50 {m.P50Ms:0.000} p99 {m.P99Ms:0.000} ms{ttft}{cpu}  errors {m.Errors}{(m.FirstError is null ? string.Empty : " (" + m.FirstError + ")")}{other}");
        }
    }

    return 0;
}

/// <summary><c>--name value</c> pairs; a name may repeat.</summary>
internal sealed class Options
{
    private readonly List<KeyValuePair<string, string>> _values = [];

    public static Options Parse(string[] args)
    {
        var options = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected --name value, got '{args[i]}'");
            }

            options._values.Add(new(args[i][2..], args[++i]));
        }

        return options;
    }

    public IEnumerable<string> All(string name) => _values.Where(v => v.Key == name).Select(v => v.Value);

    public string? OneOrNull(string name) => All(name).LastOrDefault();

    public string One(string name, string? fallback = null) => OneOrNull(name) ?? fallback ?? throw new ArgumentException($"--{name} is required");

    public int Int(string name, int fallback) => OneOrNull(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) => OneOrNull(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
