using System.Text;

namespace Switchboard.Fuzz.Tests;

/// <summary>
/// A few thousand hostile bodies and framings against the real <c>serve</c> and <c>mock</c> processes: no 5xx,
/// every application 4xx an OpenAI error object, every request answered in time, and afterwards the process
/// still answers with its memory bounded. <c>SWITCHBOARD_FUZZ_CASES</c> and <c>SWITCHBOARD_FUZZ_SEED</c> make a
/// longer or different run.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int Parallelism = 4;
    private static readonly TimeSpan PerCase = TimeSpan.FromSeconds(30);

    /// <summary>The GC heap the servers get, as a container's memory limit would: hostile traffic must fit in it.</summary>
    private const long HeapLimitBytes = 384L * 1024 * 1024;

    /// <summary>The heap limit plus room for the runtime, the JIT and native buffers.</summary>
    private const long MaxResidentBytes = HeapLimitBytes + (256L * 1024 * 1024);

    private static readonly Dictionary<string, string> MemoryBudget = new() { ["DOTNET_GCHeapHardLimit"] = "0x" + HeapLimitBytes.ToString("x", System.Globalization.CultureInfo.InvariantCulture) };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static int Cases => int.TryParse(Environment.GetEnvironmentVariable("SWITCHBOARD_FUZZ_CASES"), out var cases) ? cases : 2000;

    private static int Seed => int.TryParse(Environment.GetEnvironmentVariable("SWITCHBOARD_FUZZ_SEED"), out var seed) ? seed : 20261205;

    [Fact]
    public async Task ServeSurvivesHostileTraffic()
    {
        await using var server = await SwitchboardProcess.StartAsync(["serve"], MemoryBudget, Ct);
        var cases = new HostileCorpus(Seed).Build("mock-echo", "mock-embedding", Cases);
        await RunAndJudgeAsync(server, cases);
    }

    [Fact]
    public async Task MockSurvivesHostileTraffic()
    {
        var folder = Directory.CreateTempSubdirectory("switchboard-fuzz-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "fixtures.yaml"), """
                - name: greeting
                  match: { last_user: Hello there }
                  response: General Kenobi
                - name: streamed
                  match: { last_user: { contains: Hi } }
                  response: { content: "Hello, world", stream: { chunk_size: 2 } }
                """, Ct);
            await using var server = await SwitchboardProcess.StartAsync(["mock", "--fixtures", folder.FullName], MemoryBudget, Ct);
            var cases = new HostileCorpus(Seed + 1).Build("mock-echo", "mock-embedding", Cases);
            // Last, so that nothing they might add changes the answers to the others.
            cases.AddRange(HostileCorpus.AdminFixtures());
            await RunAndJudgeAsync(server, cases);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private async Task RunAndJudgeAsync(SwitchboardProcess server, List<HostileCase> cases)
    {
        var before = server.ResidentBytes();
        var failures = await FuzzRun.RunAsync(server, cases, Parallelism, PerCase, Ct);
        var after = server.ResidentBytes();
        output.WriteLine($"{cases.Count} cases, {failures.Count} failures; resident memory {before / 1048576} MB before, {after / 1048576} MB after");
        foreach (var failure in failures.Take(50))
        {
            output.WriteLine(failure);
        }

        var health = await RawHttp.ExchangeAsync(server.Endpoint, RawHttp.Build("GET", "/health", [], null), halfClose: false, PerCase, Ct);
        Assert.False(server.HasExited, "The process ended:\n" + Tail(server.Output));
        Assert.Equal(200, health.Status);
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} hostile requests were answered badly:\n" + string.Join('\n', failures.Take(30)));
        if (after is { } resident)
        {
            // The GC heap cannot pass its limit (the server would fail instead); what is left is the runtime's own.
            Assert.True(resident < MaxResidentBytes, $"{resident / 1048576} MB resident after the run, more than {MaxResidentBytes / 1048576} MB.");
        }
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];
}
