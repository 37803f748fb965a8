using System.Net;
using System.Text;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>Retries and fallbacks across real upstream servers.</summary>
public sealed class RoutingTests : BrokenAndHealthyUpstreams
{
    [Fact]
    public async Task FallsBackToTheNextModelWhenAllDeploymentsFail()
    {
        await using var gateway = await StartWithFallbackAsync("fallbacks: {main: [backup]}");

        using var response = await PostAsync(gateway, "main");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("secondary", response.Headers.GetValues("x-switchboard-provider").Single());
        Assert.Equal("backup-model", response.Headers.GetValues("x-switchboard-model").Single());
        Assert.Equal("2", response.Headers.GetValues("x-switchboard-attempts").Single());
        Assert.Single(Broken.Requests);
    }

    [Fact]
    public async Task RetriesUpToTheConfiguredCountThenReportsTheLastError()
    {
        await using var gateway = await TestGateway.StartAsync($$"""
            providers:
              - {name: primary, type: openai, base_url: "{{Broken.BaseUrl}}/v1"}
            models:
              - name: main
                deployments: [{provider: primary, model: big-model}]
            routing:
              retries: 2
            """);

        using var response = await PostAsync(gateway, "main");

        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadGateway);
        Assert.Equal(3, Broken.Requests.Count);
        Assert.Equal("3", response.Headers.GetValues("x-switchboard-attempts").Single());
    }

    [Fact]
    public async Task RetryPrefersADeploymentNotTriedYet()
    {
        await using var gateway = await TestGateway.StartAsync($$"""
            providers:
              - {name: primary, type: openai, base_url: "{{Broken.BaseUrl}}/v1"}
              - {name: secondary, type: openai, base_url: "{{Healthy.BaseUrl}}/v1"}
            models:
              - name: main
                deployments: [{provider: primary, model: big-model}, {provider: secondary, model: backup-model}]
            routing:
              retries: 1
            """);

        for (var i = 0; i < 6; i++)
        {
            using var response = await PostAsync(gateway, "main");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("secondary", response.Headers.GetValues("x-switchboard-provider").Single());
        }

        Assert.True(Broken.Requests.Count < 6 + 1);
    }

    [Fact]
    public async Task RateLimitedDeploymentIsNotAskedAgainButFallbacksAre()
    {
        Broken.Handler = (context, _) =>
        {
            context.Response.Headers.RetryAfter = "3";
            return OpenAIUpstreamResponses.WriteJsonAsync(context.Response, "{\"error\":{\"message\":\"slow down\"}}", 429);
        };
        await using var gateway = await StartWithFallbackAsync("retries: 3", "fallbacks: {main: [backup]}");

        using var response = await PostAsync(gateway, "main");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("secondary", response.Headers.GetValues("x-switchboard-provider").Single());
        Assert.Single(Broken.Requests);
    }

    [Fact]
    public async Task StreamThatFailsInItsFirstEventFallsBack()
    {
        Broken.Handler = async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await OpenAIUpstreamResponses.WriteEventAsync(context.Response, "{\"error\":{\"message\":\"content filter\"}}");
        };
        Healthy.Handler = async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await OpenAIUpstreamResponses.WriteEventAsync(context.Response, OpenAIUpstreamResponses.Chunk("backup-model", "saved", role: true));
            await OpenAIUpstreamResponses.WriteEventAsync(context.Response, OpenAIUpstreamResponses.Chunk("backup-model", null, "stop"));
            await OpenAIUpstreamResponses.WriteEventAsync(context.Response, "[DONE]");
        };
        await using var gateway = await StartWithFallbackAsync("fallbacks: {main: [backup]}");

        using var response = await gateway.Http.PostAsync(
            "/v1/chat/completions",
            new StringContent("{\"model\":\"main\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("saved", body, StringComparison.Ordinal);
        Assert.DoesNotContain("content filter", body, StringComparison.Ordinal);
        Assert.Equal("secondary", response.Headers.GetValues("x-switchboard-provider").Single());
    }

    [Fact]
    public async Task ClientErrorsAreNotRetried()
    {
        Broken.Handler = (context, _) => OpenAIUpstreamResponses.WriteJsonAsync(context.Response, "{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\"}}", 400);
        await using var gateway = await StartWithFallbackAsync("retries: 3", "fallbacks: {main: [backup]}");

        using var response = await PostAsync(gateway, "main");

        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Single(Broken.Requests);
        Assert.Empty(Healthy.Requests);
    }

    [Fact]
    public async Task UnreachableUpstreamIs503AndNotReady()
    {
        var closedPort = Loopback.ClosedPort();
        await using var gateway = await TestGateway.StartAsync($$"""
            providers:
              - {name: gone, type: openai, base_url: "http://127.0.0.1:{{closedPort}}/v1"}
            models:
              - name: main
                deployments: [{provider: gone}]
            """);

        using var response = await PostAsync(gateway, "main");
        using var ready = await gateway.Http.GetAsync("/health/ready", TestContext.Current.CancellationToken);

        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
    }

    /// <summary>Model <c>main</c> on the broken upstream, falling back to model <c>backup</c> on the healthy one.</summary>
    private Task<TestGateway> StartWithFallbackAsync(params string[] routing) => TestGateway.StartAsync($$"""
        providers:
          - {name: primary, type: openai, base_url: "{{Broken.BaseUrl}}/v1"}
          - {name: secondary, type: openai, base_url: "{{Healthy.BaseUrl}}/v1"}
        models:
          - name: main
            deployments: [{provider: primary, model: big-model}]
          - name: backup
            deployments: [{provider: secondary, model: backup-model}]
        routing:
        {{string.Concat(routing.Select(line => "  " + line + "\n"))}}
        """);
}
