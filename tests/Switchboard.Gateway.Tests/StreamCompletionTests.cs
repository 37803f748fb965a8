using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchboard.Gateway.Pipeline;
using Switchboard.Gateway.Tests.Infrastructure;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Tests;

/// <summary>
/// A stream the router serves completes its request itself when no stage wraps it: after its last event, with a
/// mid-stream failure as the request's error, and as aborted when the client goes away.
/// </summary>
public sealed class StreamCompletionTests : IAsyncLifetime
{
    private FakeUpstream _upstream = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _upstream = await FakeUpstream.StartAsync();

    public async ValueTask DisposeAsync() => await _upstream.DisposeAsync();

    private Task<TestGateway> StartAsync(CompletionStage stage) => TestGateway.StartAsync(
        $$"""
        providers:
          - {name: upstream, type: openai, base_url: {{_upstream.BaseUrl}}/v1}
        models:
          - name: m
            deployments: [{provider: upstream, model: up}]
        """,
        configureServices: services => services.Replace(ServiceDescriptor.Singleton(sp =>
            new GatewayPipelineBuilder(sp).Use(stage).UseGatewayStages().Build())));

    private static HttpRequestMessage StreamRequest() => new(HttpMethod.Post, "/v1/chat/completions")
    {
        Content = new StringContent("""{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
    };

    [Fact]
    public async Task AStreamReadToItsEndCompletesTheRequestAfterItsLastEvent()
    {
        _upstream.Handler = async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteEventAsync(OpenAIUpstreamResponses.Chunk("up", "Hi", role: true));
            await context.Response.WriteEventAsync(OpenAIUpstreamResponses.Chunk("up", null, "stop"));
            await context.Response.WriteEventAsync("[DONE]");
        };
        var stage = new CompletionStage();
        await using var gateway = await StartAsync(stage);

        using var response = await gateway.Http.SendAsync(StreamRequest(), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        var outcome = await stage.Completed.Task.WaitAsync(Ct);

        Assert.Contains("[DONE]", body, StringComparison.Ordinal);
        Assert.Equal((200, null, false), outcome);
    }

    [Fact]
    public async Task AStreamThatBreaksMidwayCompletesTheRequestWithItsError()
    {
        _upstream.Handler = async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteEventAsync(OpenAIUpstreamResponses.Chunk("up", "Hi", role: true));
            await context.Response.WriteEventAsync("{not json");
        };
        var stage = new CompletionStage();
        await using var gateway = await StartAsync(stage);

        using var response = await gateway.Http.SendAsync(StreamRequest(), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        var (status, error, aborted) = await stage.Completed.Task.WaitAsync(Ct);

        Assert.Contains("\"error\"", body, StringComparison.Ordinal);
        Assert.NotNull(error);
        Assert.Equal(502, status);
        Assert.False(aborted);
    }

    [Fact]
    public async Task AStreamItsClientLeavesCompletesTheRequestAsAborted()
    {
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _upstream.Handler = async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteEventAsync(OpenAIUpstreamResponses.Chunk("up", "Hi", role: true));
            await hold.Task.WaitAsync(context.RequestAborted);
        };
        var stage = new CompletionStage();
        await using var gateway = await StartAsync(stage);

        using (var response = await gateway.Http.SendAsync(StreamRequest(), HttpCompletionOption.ResponseHeadersRead, Ct))
        {
            await using var stream = await response.Content.ReadAsStreamAsync(Ct);
            var first = new byte[16];
            Assert.True(await stream.ReadAsync(first, Ct) > 0);
        }

        var (status, error, aborted) = await stage.Completed.Task.WaitAsync(Ct);
        hold.TrySetResult();

        Assert.True(aborted);
        Assert.Null(error);
        Assert.Equal(499, status);
    }

    private sealed class CompletionStage : IGatewayStage
    {
        public TaskCompletionSource<(int Status, string? Error, bool Aborted)> Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "completion";

        public GatewayOperations Operations => GatewayOperations.Chat;

        public ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
        {
            context.OnCompleted(static (context, state) =>
            {
                ((CompletionStage)state!).Completed.TrySetResult((context.StatusCode, context.Error?.Code, context.Aborted));
                return ValueTask.CompletedTask;
            }, this);
            return next(context, cancellationToken);
        }
    }
}
