using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>
/// Circuit breaking through the real gateway and real upstream servers on loopback. The gateway runs on a fake
/// clock so cooldowns pass when the test says; the configurations avoid retry backoff, which waits on that clock too.
/// </summary>
public sealed class CircuitBreakerGatewayTests : BrokenAndHealthyUpstreams
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task FailingDeploymentGetsNoMoreRequestsOnceItsCircuitOpens()
    {
        // Round-robin alternates, so the broken deployment is asked by requests 1, 3 and 5; a retry on the
        // healthy one answers each of them.
        await using var gateway = await StartAsync("""
            models:
              - name: main
                deployments: [{provider: primary, model: big-model}, {provider: secondary, model: backup-model}]
            routing:
              retries: 1
              load_balancing: round-robin
              circuit_breaker: {failures: 3, cooldown: 10m}
            """);

        for (var i = 0; i < 20; i++)
        {
            using var response = await PostAsync(gateway, "main");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("secondary", response.Headers.GetValues("x-switchboard-provider").Single());
        }

        Assert.Equal(3, Broken.Requests.Count);
        Assert.Equal(20, Healthy.Requests.Count);
        var circuit = (await ReadyAsync(gateway)).GetProperty("open_circuits").GetProperty("primary/big-model");
        Assert.Equal("open", circuit.GetProperty("state").GetString());
        Assert.Equal(600, circuit.GetProperty("retry_after").GetInt32());
    }

    [Fact]
    public async Task AllDeploymentsOpenIs503WithRetryAfter()
    {
        await using var gateway = await StartAsync("""
            models:
              - name: main
                deployments: [{provider: primary, model: big-model}]
            routing:
              circuit_breaker: {failures: 2, cooldown: 45s}
            """);
        await FailTwiceAsync(gateway);
        _time.Advance(TimeSpan.FromSeconds(5));

        using var response = await PostAsync(gateway, "main");

        var error = await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.ServiceUnavailable, code: "upstream_unavailable");
        Assert.Equal("upstream_error", error.GetProperty("type").GetString());
        Assert.Contains("circuit is open for primary/big-model", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("40", response.Headers.GetValues("retry-after").Single());
        Assert.Equal(2, Broken.Requests.Count);
    }

    [Fact]
    public async Task OpenModelGoesToItsFallback()
    {
        await using var gateway = await StartAsync("""
            models:
              - name: main
                deployments: [{provider: primary, model: big-model}]
              - name: backup
                deployments: [{provider: secondary, model: backup-model}]
            routing:
              fallbacks: {main: [backup]}
              circuit_breaker: {failures: 2, cooldown: 30s}
            """);
        await FailTwiceAsync(gateway);

        using var response = await PostAsync(gateway, "main");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("secondary", response.Headers.GetValues("x-switchboard-provider").Single());
        Assert.Equal("1", response.Headers.GetValues("x-switchboard-attempts").Single());
        Assert.Equal(2, Broken.Requests.Count);
    }

    [Fact]
    public async Task AfterTheCooldownTheTrialRequestReachesTheUpstream()
    {
        await using var gateway = await StartAsync("""
            models:
              - name: main
                deployments: [{provider: primary, model: big-model}]
            routing:
              circuit_breaker: {failures: 2, cooldown: 30s}
            """);
        await FailTwiceAsync(gateway);
        Broken.Handler = (context, _) => OpenAIUpstreamResponses.WriteJsonAsync(context.Response, OpenAIUpstreamResponses.Completion("big-model", "back again"));
        using (var stillOpen = await PostAsync(gateway, "main"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, stillOpen.StatusCode);
        }

        _time.Advance(TimeSpan.FromSeconds(30));
        var completion = await gateway.CreateOpenAIClient().GetChatClient("main").CompleteChatAsync(["hi"], cancellationToken: TestContext.Current.CancellationToken);
        using var afterwards = await PostAsync(gateway, "main");

        Assert.Equal("back again", completion.Value.Content[0].Text);
        Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
        Assert.Equal(4, Broken.Requests.Count);
        Assert.False((await ReadyAsync(gateway)).TryGetProperty("open_circuits", out _));
    }

    [Fact]
    public async Task StreamThatFailsBeforeItsFirstChunkCounts()
    {
        Broken.Handler = async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await OpenAIUpstreamResponses.WriteEventAsync(context.Response, "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}");
        };
        await using var gateway = await StartAsync("""
            models:
              - name: main
                deployments: [{provider: primary, model: big-model}]
            routing:
              circuit_breaker: {failures: 2, cooldown: 30s}
            """);

        for (var i = 0; i < 3; i++)
        {
            using var response = await gateway.Http.PostAsync(
                "/v1/chat/completions",
                new StringContent("{\"model\":\"main\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", Encoding.UTF8, "application/json"),
                TestContext.Current.CancellationToken);
            Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(2, Broken.Requests.Count);
    }

    [Fact]
    public async Task ClientErrorsNeverOpenTheCircuit()
    {
        Broken.Handler = (context, _) => OpenAIUpstreamResponses.WriteJsonAsync(context.Response, "{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\"}}", 400);
        await using var gateway = await StartAsync("""
            models:
              - name: main
                deployments: [{provider: primary, model: big-model}]
            routing:
              circuit_breaker: {failures: 2, cooldown: 30s}
            """);

        for (var i = 0; i < 5; i++)
        {
            using var response = await PostAsync(gateway, "main");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        Assert.Equal(5, Broken.Requests.Count);
    }

    [Fact]
    public async Task BreakingIsOnByDefault()
    {
        await using var gateway = await StartAsync("""
            models:
              - name: main
                deployments: [{provider: primary, model: big-model}]
            """);

        for (var i = 0; i < 8; i++)
        {
            using var response = await PostAsync(gateway, "main");
        }

        Assert.Equal(5, Broken.Requests.Count);
    }

    [Fact]
    public async Task ZeroFailuresTurnsBreakingOff()
    {
        await using var gateway = await StartAsync("""
            models:
              - name: main
                deployments: [{provider: primary, model: big-model}]
            routing:
              circuit_breaker: {failures: 0}
            """);

        for (var i = 0; i < 8; i++)
        {
            using var response = await PostAsync(gateway, "main");
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        }

        Assert.Equal(8, Broken.Requests.Count);
    }

    /// <summary>Providers <c>primary</c> (the broken upstream) and <c>secondary</c> (the healthy one), then <paramref name="rest"/>.</summary>
    private Task<TestGateway> StartAsync(string rest) => TestGateway.StartAsync(
        $$"""
        providers:
          - {name: primary, type: openai, base_url: "{{Broken.BaseUrl}}/v1"}
          - {name: secondary, type: openai, base_url: "{{Healthy.BaseUrl}}/v1"}

        """ + rest,
        timeProvider: _time);

    /// <summary>Two requests that the broken upstream fails (answered with its error, or by a fallback after two attempts).</summary>
    private static async Task FailTwiceAsync(TestGateway gateway)
    {
        for (var i = 0; i < 2; i++)
        {
            using var response = await PostAsync(gateway, "main");
            Assert.True(
                response.StatusCode == HttpStatusCode.BadGateway || response.Headers.GetValues("x-switchboard-attempts").Single() == "2",
                $"request {i + 1} should have failed on the broken upstream");
        }
    }

    private static async Task<JsonElement> ReadyAsync(TestGateway gateway)
    {
        using var response = await gateway.Http.GetAsync("/health/ready", TestContext.Current.CancellationToken);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.True(document.RootElement.TryGetProperty("providers", out _), "the existing fields stay");
        return document.RootElement.Clone();
    }
}
