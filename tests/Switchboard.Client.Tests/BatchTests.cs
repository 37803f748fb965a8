using Switchboard.Client.Tests.Infrastructure;
using Switchboard.Mock.Testing;

namespace Switchboard.Client.Tests;

/// <summary>The "done when": a batch whose upstream fails half-way ends with one value per prompt and no exception.</summary>
public sealed class BatchTests
{
    private const int Prompts = 1000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BatchThroughTheGatewayWithTheUpstreamDyingHalfWayEndsWithAValuePerPrompt()
    {
        var upstream = await MockLlmServer.StartAsync(cancellationToken: Ct);
        await using var gateway = await TestGateway.StartAsync($$"""
            providers:
              - {name: upstream, type: openai, base_url: "{{upstream.OpenAIEndpoint}}"}
            models:
              - name: main
                deployments: [{provider: upstream, model: mock-echo}]
            """);
        using var llm = LlmClient.Create(new LlmClientOptions { BaseUrl = gateway.OpenAIEndpoint, Model = "main" });

        var results = new List<LlmResponse>(Prompts);
        for (var i = 0; i < Prompts; i++)
        {
            if (i == Prompts / 2)
            {
                await upstream.DisposeAsync();
            }

            results.Add(await llm.CompleteAsync($"Prompt number {i}", cancellationToken: Ct));
        }

        Assert.Equal(Prompts, results.Count);
        Assert.All(results.Take(Prompts / 2).Select((r, i) => (r, i)), x =>
        {
            Assert.True(x.r.Success, x.r.Error);
            Assert.Equal($"Prompt number {x.i}", x.r.Content);
        });
        Assert.All(results.Skip(Prompts / 2), r =>
        {
            Assert.False(r.Success);
            Assert.Equal(LlmErrorKind.ServerError, r.ErrorKind);
            Assert.Equal(503, r.StatusCode);
            Assert.False(string.IsNullOrWhiteSpace(r.Error));
            Assert.Equal(string.Empty, r.Content);
        });
    }

    [Fact]
    public async Task ConcurrentBatchWithTheServerDyingHalfWayEndsWithAValuePerPrompt()
    {
        var server = await MockLlm.StartAsync();
        using var llm = MockLlm.Client(server);
        var answered = 0;
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var results = new LlmResponse?[Prompts];

        await Parallel.ForEachAsync(Enumerable.Range(0, Prompts), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (i, token) =>
        {
            if (i >= Prompts / 2)
            {
                // The second half starts only once the server is gone.
                await stopped.Task.WaitAsync(token);
            }

            results[i] = await llm.CompleteAsync("Say hello", cancellationToken: token);
            if (Interlocked.Increment(ref answered) == Prompts / 2)
            {
                await server.DisposeAsync();
                stopped.TrySetResult();
            }
        });

        Assert.All(results, r => Assert.NotNull(r));
        Assert.All(results.Take(Prompts / 2), r => Assert.True(r!.Success, r.Error));
        Assert.All(results.Skip(Prompts / 2), r =>
        {
            Assert.False(r!.Success);
            Assert.Equal(LlmErrorKind.ConnectionFailed, r.ErrorKind);
            Assert.Contains("refused", r.Error, StringComparison.OrdinalIgnoreCase);
        });
    }
}
