using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>
/// What counts as a stream that has started: only a chunk with content, a tool call or a refusal commits the
/// answer to a deployment. Before it, a failure is retried and fallen back from like any other; and what an
/// upstream says in a failing stream is logged, not forwarded.
/// </summary>
public sealed class StreamStartTests : IAsyncLifetime
{
    private const string RoleOnly = """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"big","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}""";

    private FakeUpstream _primary = null!;
    private FakeUpstream _backup = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _primary = await FakeUpstream.StartAsync();
        _backup = await FakeUpstream.StartAsync();
        _backup.Handler = async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteEventAsync(RoleOnly);
            await context.Response.WriteEventAsync(OpenAIUpstreamResponses.Chunk("backup-model", "from backup"));
            await context.Response.WriteEventAsync(OpenAIUpstreamResponses.Chunk("backup-model", null, "stop"));
            await context.Response.WriteEventAsync("[DONE]");
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _primary.DisposeAsync();
        await _backup.DisposeAsync();
    }

    private Task<TestGateway> StartAsync(string routing = "fallbacks: {main: [backup]}") => TestGateway.StartAsync($$"""
        providers:
          - {name: primary, type: openai, base_url: "{{_primary.BaseUrl}}/v1"}
          - {name: secondary, type: openai, base_url: "{{_backup.BaseUrl}}/v1"}
        models:
          - name: main
            deployments: [{provider: primary, model: big}]
          - name: backup
            deployments: [{provider: secondary, model: backup-model}]
        routing:
          {{routing}}
        """);

    private static async Task<(HttpResponseMessage Response, string Body)> StreamAsync(TestGateway gateway)
    {
        var response = await gateway.Http.PostAsync(
            "/v1/chat/completions",
            new StringContent("""{"model":"main","stream":true,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
            Ct);
        return (response, await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task AStreamThatDiesAfterItsRoleChunkFallsBack()
    {
        _primary.Handler = async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteEventAsync(RoleOnly);
            // The body ends here: no content, no finish_reason, no [DONE].
        };
        await using var gateway = await StartAsync();

        var (response, body) = await StreamAsync(gateway);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("from backup", body, StringComparison.Ordinal);
        Assert.DoesNotContain("\"error\"", body, StringComparison.Ordinal);
        Assert.Equal("2", response.Headers.GetValues("x-switchboard-attempts").Single());
    }

    [Fact]
    public async Task AnUpstreamThatSendsOnlyDoneIsAFailureNotAnEmptyAnswer()
    {
        _primary.Handler = async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteEventAsync("[DONE]");
        };
        await using var gateway = await StartAsync("retries: 0");

        var (response, _) = await StreamAsync(gateway);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Fact]
    public async Task AStreamOfEmptyChunksThatFinishesIsAnAnswer()
    {
        _primary.Handler = async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteEventAsync(RoleOnly);
            await context.Response.WriteEventAsync(OpenAIUpstreamResponses.Chunk("big", string.Empty, "content_filter"));
            await context.Response.WriteEventAsync("[DONE]");
        };
        await using var gateway = await StartAsync();

        var (response, body) = await StreamAsync(gateway);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("content_filter", body, StringComparison.Ordinal);
        Assert.Empty(_backup.Requests);
    }

    [Fact]
    public async Task ManyEmptyChunksBeforeTheContentReachTheClient()
    {
        _primary.Handler = async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            for (var i = 0; i < 100; i++)
            {
                await context.Response.WriteEventAsync(RoleOnly);
            }

            await context.Response.WriteEventAsync(OpenAIUpstreamResponses.Chunk("big", "finally"));
            await context.Response.WriteEventAsync(OpenAIUpstreamResponses.Chunk("big", null, "stop"));
            await context.Response.WriteEventAsync("[DONE]");
        };
        await using var gateway = await StartAsync();

        var (response, body) = await StreamAsync(gateway);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(101, body.Split("\"index\":0,\"delta\"").Length - 1 - 1);
        Assert.Contains("finally", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnErrorEventBeforeAnyContentIsRetriedAndItsTextNotForwarded()
    {
        _primary.Handler = async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteEventAsync(RoleOnly);
            await context.Response.WriteEventAsync("""{"error":{"message":"db at 10.0.0.7 failed: password=hunter2","type":"server_error"}}""");
        };
        await using var gateway = await StartAsync("retries: 0");

        var (response, body) = await StreamAsync(gateway);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
        Assert.DoesNotContain("10.0.0.7", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnErrorEventMidStreamIsNotForwardedWordForWord()
    {
        _primary.Handler = async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteEventAsync(OpenAIUpstreamResponses.Chunk("big", "partial", role: true));
            await context.Response.WriteEventAsync("""{"error":{"message":"db at 10.0.0.7 failed: password=hunter2","type":"server_error"}}""");
        };
        await using var gateway = await StartAsync();

        var (response, body) = await StreamAsync(gateway);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("partial", body, StringComparison.Ordinal);
        Assert.Contains("\"error\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
        Assert.DoesNotContain("10.0.0.7", body, StringComparison.Ordinal);
    }
}
