using BenchmarkDotNet.Attributes;
using Switchboard.Hosting.Http;
using Switchboard.LoadTest;
using Switchboard.Mock;
using Switchboard.Mock.Loading;
using Switchboard.Mock.Matching;
using Switchboard.OpenAI;

namespace Switchboard.Benchmarks;

/// <summary>
/// The mock's path for a Rasa command-generator turn (a 7 KB prompt whose Conversation History picks the answer),
/// stage by stage, against the demo collection (19 turns) and the same grown to 10,000 turns with other users'
/// conversations. Each call takes the next turn's body, cycling through all of them.
/// </summary>
[MemoryDiagnoser]
public class MockMatchingBenchmarks
{
    private byte[][] _bodies = [];
    private ChatCompletionRequest[] _parsed = [];
    private MockEngine _engine = null!;
    private string? _folder;
    private int _next;

    [Params(19, 10_000)]
    public int Turns { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var turns = RasaTurns.Read(RasaCollectionPath(), Turns);
        _bodies = [.. turns.Select(t => RasaTurns.Body(t, stream: false))];
        _parsed = [.. _bodies.Select(b => OpenAIRequestReader.Parse(b, OpenAIJsonContext.Default.ChatCompletionRequest).Value!)];
        _folder = Path.Combine(Path.GetTempPath(), "switchboard-bench-" + Guid.NewGuid().ToString("N"));
        RasaTurns.WriteCollections(_folder, turns);
        _engine = new MockEngine();
        _engine.SetAllFileFixtures(FixtureLoader.LoadAll(_folder));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_folder is not null)
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Benchmark(Baseline = true, Description = "parse the body (OpenAIRequestReader)")]
    public ChatCompletionRequest? Parse() => OpenAIRequestReader.Parse(_bodies[Next()], OpenAIJsonContext.Default.ChatCompletionRequest).Value;

    [Benchmark(Description = "scan the body (MockRequest.TryCreate)")]
    public MockRequest? Scan() => MockRequest.TryCreate(_bodies[Next()]);

    [Benchmark(Description = "scan, then the history block")]
    public IReadOnlyList<HistoryTurn>? ScanHistory() => MockRequest.TryCreate(_bodies[Next()])!.History;

    [Benchmark(Description = "scan, match and answer (engine, plain)")]
    public async Task<MockExchange> ScanAndAnswer() => await _engine.HandleAsync(MockRequest.TryCreate(_bodies[Next()])!, CancellationToken.None);

    [Benchmark(Description = "history block of a parsed request")]
    public IReadOnlyList<HistoryTurn>? History()
    {
        var i = Next();
        return MockRequest.Create(_parsed[i], _bodies[i]).History;
    }

    [Benchmark(Description = "match a parsed request")]
    public MatchOutcome Match()
    {
        var i = Next();
        return _engine.Match(MockRequest.Create(_parsed[i], _bodies[i]));
    }

    [Benchmark(Description = "parse, match and answer (engine, plain)")]
    public async Task<MockExchange> Answer()
    {
        var i = Next();
        var body = _bodies[i];
        var request = OpenAIRequestReader.Parse(body, OpenAIJsonContext.Default.ChatCompletionRequest).Value!;
        return await _engine.HandleAsync(MockRequest.Create(request, body), CancellationToken.None);
    }

    private int Next()
    {
        var i = _next;
        _next = i + 1 == _bodies.Length ? 0 : i + 1;
        return i;
    }

    internal static string RasaCollectionPath()
    {
        if (Environment.GetEnvironmentVariable("SWITCHBOARD_SHARED") is { Length: > 0 } shared)
        {
            return Path.Combine(shared, "fixtures", "rasa-calm-demo", "collection.json");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fixtures", "rasa-calm-demo", "collection.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("shared/fixtures/rasa-calm-demo/collection.json was not found beside the repository; set SWITCHBOARD_SHARED.");
    }
}
