using System.Diagnostics;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>The README's JavaScript quickstart, unchanged `openai` npm package code, against the embedded default.</summary>
public sealed class NodeSdkTests
{
    [Fact]
    public async Task OpenAINpmPackageCompletesChatStreamsEmbedsAndListsModels()
    {
        var sample = Path.Combine(RepositoryPaths.Root, "samples", "node");
        await RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], sample);
        await using var gateway = await TestGateway.StartAsync();

        var output = await RunAsync("node", ["quickstart.mjs", gateway.BaseUrl + "/v1"], sample);

        Assert.Contains("chat: ", output, StringComparison.Ordinal);
        Assert.Contains("Hello from Node", output, StringComparison.Ordinal);
        Assert.Contains("stream: ", output, StringComparison.Ordinal);
        Assert.Contains("Streaming from Node", output, StringComparison.Ordinal);
        Assert.Matches(@"total tokens: [1-9]\d*", output);
        Assert.Contains("embeddings: 2 vectors of", output, StringComparison.Ordinal);
        Assert.Contains("mock-echo", output, StringComparison.Ordinal);
        Assert.Contains("error: 404 model_not_found", output, StringComparison.Ordinal);
    }

    private static async Task<string> RunAsync(string program, string[] arguments, string directory)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        guard.CancelAfter(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(guard.Token);
        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{output}");
        return output;
    }
}
