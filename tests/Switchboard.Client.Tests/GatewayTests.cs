using Microsoft.Extensions.AI;
using Switchboard.Client.Tests.Infrastructure;
using static Switchboard.Client.Tests.CompletionTests;

namespace Switchboard.Client.Tests;

/// <summary>The library against the real gateway, <c>switchboard serve</c>: the embedded default and a configuration with fallbacks.</summary>
public sealed class GatewayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EmbeddedDefaultAnswersPromptsMessagesStreamsAndSyncCalls()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var llm = LlmClient.Create(new LlmClientOptions { BaseUrl = gateway.OpenAIEndpoint, Model = "mock-echo" });

        var prompt = await llm.CompleteAsync("Hello, Switchboard", cancellationToken: Ct);
        var messages = await llm.CompleteAsync([new ChatMessage(ChatRole.System, "Echo."), new ChatMessage(ChatRole.User, "Second message")], cancellationToken: Ct);
        var sync = llm.Complete("Synchronously", cancellationToken: Ct);
        var updates = await ToListAsync(llm.StreamAsync("Stream this, please", cancellationToken: Ct));

        Assert.True(prompt.Success, prompt.Error);
        Assert.Equal("Hello, Switchboard", prompt.Content);
        Assert.Equal("mock-echo", prompt.ModelUsed);
        Assert.True(prompt.TokensUsed > 0);
        Assert.Equal(prompt.PromptTokens + prompt.CompletionTokens, prompt.TokensUsed);
        Assert.Equal("Second message", messages.Content);
        Assert.Equal("Synchronously", sync.Content);
        var streamed = updates[^1].Response!;
        Assert.True(streamed.Success, streamed.Error);
        Assert.Equal("Stream this, please", streamed.Content);
        Assert.Equal(streamed.Content, string.Concat(updates[..^1].Select(u => u.Text)));
        Assert.True(streamed.TokensUsed > 0);
    }

    [Fact]
    public async Task UnknownModelCarriesTheGatewaysMessage()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var llm = LlmClient.Create(new LlmClientOptions { BaseUrl = gateway.OpenAIEndpoint, Model = "no-such-model" });

        var answer = await llm.CompleteAsync("hi", cancellationToken: Ct);

        ErrorValueTests.AssertFailed(answer, LlmErrorKind.ClientError);
        Assert.Equal(404, answer.StatusCode);
        Assert.Contains("no-such-model", answer.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FallbackAnswersWhenThePrimaryUpstreamIsDown()
    {
        var closedPort = Loopback.ClosedPort();
        await using var gateway = await TestGateway.StartAsync($$"""
            providers:
              - {name: gone, type: openai, base_url: "http://127.0.0.1:{{closedPort}}/v1"}
              - {name: fake, type: mock}
            models:
              - name: main
                deployments: [{provider: gone, model: big-model}]
              - name: backup
                deployments: [{provider: fake, model: mock-echo}]
            routing:
              fallbacks: {main: [backup]}
            """);
        using var llm = LlmClient.Create(new LlmClientOptions { BaseUrl = gateway.OpenAIEndpoint, Model = "main" });

        var answer = await llm.CompleteAsync("Still there?", cancellationToken: Ct);
        var streamed = (await ToListAsync(llm.StreamAsync("Still streaming?", cancellationToken: Ct)))[^1].Response!;

        Assert.True(answer.Success, answer.Error);
        Assert.Equal("Still there?", answer.Content);
        Assert.True(streamed.Success, streamed.Error);
        Assert.Equal("Still streaming?", streamed.Content);
    }

    [Fact]
    public async Task WithoutAFallbackTheUnreachableUpstreamIsA503Value()
    {
        var closedPort = Loopback.ClosedPort();
        await using var gateway = await TestGateway.StartAsync($$"""
            providers:
              - {name: gone, type: openai, base_url: "http://127.0.0.1:{{closedPort}}/v1"}
            models:
              - name: main
                deployments: [{provider: gone}]
            """);
        using var llm = LlmClient.Create(new LlmClientOptions { BaseUrl = gateway.OpenAIEndpoint, Model = "main" });

        var answer = await llm.CompleteAsync("hi", cancellationToken: Ct);

        ErrorValueTests.AssertFailed(answer, LlmErrorKind.ServerError);
        Assert.Equal(503, answer.StatusCode);
        Assert.Contains("HTTP 503 Service Unavailable", answer.Error, StringComparison.Ordinal);
    }
}
