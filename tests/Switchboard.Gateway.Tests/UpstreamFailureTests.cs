using System.Net;
using Microsoft.Extensions.Logging;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>What a user sees when upstreams fail: the answer, its headers and the log, one line per failure.</summary>
public sealed class UpstreamFailureTests : BrokenAndHealthyUpstreams
{
    private readonly LogCapture _logs = new();

    [Fact]
    public async Task ARejectedUpstreamKeyIsNotRetriedOnTheSameDeploymentAndIsLoggedOnceAsAnError()
    {
        Broken.Handler = FakeUpstream.Json("""{"error":{"message":"Incorrect API key provided: sk-wrong.","type":"invalid_request_error","code":"invalid_api_key"}}""", 401);
        await using var gateway = await TestGateway.StartAsync($$"""
            providers:
              - {name: primary, type: openai, base_url: "{{Broken.BaseUrl}}/v1", api_key: sk-wrong}
            models:
              - name: main
                deployments: [{provider: primary, model: big-model}]
            routing:
              retries: 2
            """, logs: _logs);

        using var response = await PostAsync(gateway, "main");

        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadGateway, code: "upstream_authentication_failed");
        Assert.Single(Broken.Requests);
        Assert.Equal("1", response.Headers.GetValues("x-switchboard-attempts").Single());
        var logged = Assert.Single(_logs.AtLeast(LogLevel.Warning));
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.Contains("primary", logged.Message, StringComparison.Ordinal);
        Assert.Contains("primary/big-model", logged.Message, StringComparison.Ordinal);
        Assert.Contains("api_key", logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARejectedUpstreamKeyStillLetsTheConfiguredFallbackAnswer()
    {
        Broken.Handler = FakeUpstream.Json("""{"error":{"message":"Incorrect API key provided."}}""", 401);
        await using var gateway = await StartWithFallbackAsync("retries: 2", "fallbacks: {main: [backup]}");

        using var response = await PostAsync(gateway, "main");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("secondary", response.Headers.GetValues("x-switchboard-provider").Single());
        Assert.Equal("2", response.Headers.GetValues("x-switchboard-attempts").Single());
        Assert.Single(Broken.Requests);
    }

    [Fact]
    public async Task EachUnreachableUpstreamIsOneLogLineWithoutAStackTrace()
    {
        var closedPort = Loopback.ClosedPort();
        await using var gateway = await TestGateway.StartAsync($$"""
            providers:
              - {name: gone, type: openai, base_url: "http://127.0.0.1:{{closedPort}}/v1"}
            models:
              - name: main
                deployments: [{provider: gone, model: small-model}]
            routing:
              retries: 1
            """, logs: _logs);

        using var response = await PostAsync(gateway, "main");

        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.ServiceUnavailable);
        var lines = _logs.AtLeast(LogLevel.Warning);
        Assert.Equal(2, lines.Count);
        Assert.All(lines, line =>
        {
            Assert.Equal(LogLevel.Warning, line.Level);
            Assert.Null(line.Exception);
            Assert.Contains("gone", line.Message, StringComparison.Ordinal);
            Assert.Contains("gone/small-model", line.Message, StringComparison.Ordinal);
            Assert.Contains("could not be reached: the connection was refused", line.Message, StringComparison.Ordinal);
        });
        // The trace is still there for whoever turns on Debug.
        Assert.Contains(_logs.Entries, e => e.Level == LogLevel.Debug && e.Exception is HttpRequestException);
    }

    [Fact]
    public async Task AStreamThatBreaksAfterItStartedIsOneLogLineNamingTheDeployment()
    {
        Broken.Handler = async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await OpenAIUpstreamResponses.WriteEventAsync(context.Response, OpenAIUpstreamResponses.Chunk("big-model", "partial", role: true));
            await OpenAIUpstreamResponses.WriteEventAsync(context.Response, "{\"choices\": [broken");
        };
        await using var gateway = await TestGateway.StartAsync($$"""
            providers:
              - {name: primary, type: openai, base_url: "{{Broken.BaseUrl}}/v1"}
            models:
              - name: main
                deployments: [{provider: primary, model: big-model}]
            """, logs: _logs);

        using var response = await gateway.Http.PostAsync(
            "/v1/chat/completions",
            new StringContent("{\"model\":\"main\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", System.Text.Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Contains("partial", body, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", body, StringComparison.Ordinal);
        var line = Assert.Single(_logs.AtLeast(LogLevel.Warning));
        Assert.Null(line.Exception);
        Assert.Contains("primary/big-model", line.Message, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", line.Message, StringComparison.Ordinal);
        Assert.Contains(_logs.Entries, e => e.Level == LogLevel.Debug && e.Exception is not null);
    }

    [Fact]
    public async Task AFailedFallbackChainListsEveryAttemptAndTheHeaderCountsThem()
    {
        var closedPort = Loopback.ClosedPort();
        await using var gateway = await TestGateway.StartAsync($$"""
            providers:
              - {name: primary, type: openai, base_url: "{{Broken.BaseUrl}}/v1"}
              - {name: gone, type: ollama, base_url: "http://127.0.0.1:{{closedPort}}"}
            models:
              - name: main
                deployments: [{provider: primary, model: big-model}]
              - name: backup
                deployments: [{provider: gone, model: "llama3.2:3b"}]
            routing:
              retries: 1
              fallbacks: {main: [backup]}
            """);

        using var response = await PostAsync(gateway, "main");

        var error = await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.ServiceUnavailable);
        var message = error.GetProperty("message").GetString()!;
        Assert.Equal("4", response.Headers.GetValues("x-switchboard-attempts").Single());
        Assert.StartsWith("Every attempt failed (4): ", message, StringComparison.Ordinal);
        Assert.Contains("1) main on primary/big-model: The upstream 'primary' failed with HTTP 500.", message, StringComparison.Ordinal);
        Assert.Contains("2) main on primary/big-model: ", message, StringComparison.Ordinal);
        Assert.Contains("3) backup on gone/llama3.2:3b: The upstream 'gone' could not be reached", message, StringComparison.Ordinal);
        Assert.Contains("4) backup on gone/llama3.2:3b: ", message, StringComparison.Ordinal);
    }

    /// <summary>Model <c>main</c> on the broken upstream, falling back to model <c>backup</c> on the healthy one.</summary>
    private Task<TestGateway> StartWithFallbackAsync(params string[] routing) => TestGateway.StartAsync($$"""
        providers:
          - {name: primary, type: openai, base_url: "{{Broken.BaseUrl}}/v1", api_key: sk-wrong}
          - {name: secondary, type: openai, base_url: "{{Healthy.BaseUrl}}/v1"}
        models:
          - name: main
            deployments: [{provider: primary, model: big-model}]
          - name: backup
            deployments: [{provider: secondary, model: backup-model}]
        routing:
        {{string.Concat(routing.Select(line => "  " + line + "\n"))}}
        """, logs: _logs);
}
