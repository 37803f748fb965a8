using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchboard.Gateway.Pipeline;
using Switchboard.Gateway.Tests.Infrastructure;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Tests;

/// <summary>
/// A stage that needs a stream's real usage (<see cref="GatewayContext.RequireUsage"/>) gets it from an OpenAI-compatible
/// upstream even when the client did not ask, without the client seeing the extra event.
/// </summary>
public sealed class StreamUsageTests : IAsyncLifetime
{
    private const string Usage = """{"id":"chatcmpl-upstream3","object":"chat.completion.chunk","created":1694268190,"model":"up","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}""";

    private FakeUpstream _upstream = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync(async (context, body) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteEventAsync(OpenAIUpstreamResponses.Chunk("up", "Hi", role: true));
            await context.Response.WriteEventAsync(OpenAIUpstreamResponses.Chunk("up", null, "stop"));
            if (body!.RootElement.TryGetProperty("stream_options", out var options) && options.GetProperty("include_usage").GetBoolean())
            {
                await context.Response.WriteEventAsync(Usage);
            }

            await context.Response.WriteEventAsync("[DONE]");
        });
    }

    public async ValueTask DisposeAsync() => await _upstream.DisposeAsync();

    /// <param name="stage">A stage that needs usage, in front of the gateway's own; null for none.</param>
    /// <param name="recordUsage">Whether usage records (a stage of the gateway's that needs usage) are on.</param>
    private Task<TestGateway> StartAsync(UsageStage? stage, bool recordUsage = true) => TestGateway.StartAsync(
        $$"""
        providers:
          - {name: upstream, type: openai, base_url: {{_upstream.BaseUrl}}/v1}
        models:
          - name: m
            deployments: [{provider: upstream, model: up, input_per_million: 1000000, output_per_million: 2000000}]
        database: {record_usage: {{(recordUsage ? "true" : "false")}}}
        """,
        configureServices: stage is null ? null : services => services.Replace(ServiceDescriptor.Singleton(sp =>
            new GatewayPipelineBuilder(sp).Use(stage).UseGatewayStages().Build())));

    private static async Task<string> StreamAsync(TestGateway gateway, string streamOptions)
    {
        using var response = await gateway.Http.PostAsync(
            "/v1/chat/completions",
            new StringContent($$"""{"model":"m","stream":true{{streamOptions}},"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
            Ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(Ct);
    }

    [Fact]
    public async Task UsageTheGatewayAskedForIsHeldBackFromAClientThatDidNotAsk()
    {
        var stage = new UsageStage();
        await using var gateway = await StartAsync(stage);

        var body = await StreamAsync(gateway, string.Empty);

        Assert.Contains("\"include_usage\":true", _upstream.Last.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("usage", body, StringComparison.Ordinal);
        Assert.Contains("\"content\":\"Hi\"", body, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
        var (usage, cost) = await stage.Completed.Task.WaitAsync(Ct);
        Assert.Equal(new TokenUsage(7, 3), usage);
        Assert.Equal(7m + 6m, cost);
    }

    [Fact]
    public async Task AClientThatAskedForUsageGetsTheUpstreamsEventAsItCame()
    {
        var stage = new UsageStage();
        await using var gateway = await StartAsync(stage);

        var body = await StreamAsync(gateway, ""","stream_options":{"include_usage":true}""");

        Assert.Contains("data: " + Usage + "\n\n", body, StringComparison.Ordinal);
        Assert.Equal(new TokenUsage(7, 3), (await stage.Completed.Task.WaitAsync(Ct)).Usage);
    }

    [Fact]
    public async Task WithoutAStageThatNeedsUsageTheClientsBytesGoUpstreamUnchangedButTheModel()
    {
        await using var gateway = await StartAsync(stage: null, recordUsage: false);

        var body = await StreamAsync(gateway, string.Empty);

        Assert.Equal("""{"model":"up","stream":true,"messages":[{"role":"user","content":"hi"}]}""", _upstream.Last.Text);
        Assert.DoesNotContain("usage", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AChangedRequestIsSerializedWithStreamUsageAskedFor()
    {
        var stage = new UsageStage { ChangeRequest = true };
        await using var gateway = await StartAsync(stage);

        var body = await StreamAsync(gateway, string.Empty);

        using var sent = JsonDocument.Parse(_upstream.Last.Text);
        Assert.True(sent.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.Equal(0.5, sent.RootElement.GetProperty("temperature").GetDouble());
        Assert.DoesNotContain("usage", body, StringComparison.Ordinal);
        Assert.Equal(new TokenUsage(7, 3), (await stage.Completed.Task.WaitAsync(Ct)).Usage);
    }

    private sealed class UsageStage : IGatewayStage
    {
        public TaskCompletionSource<(TokenUsage? Usage, decimal? Cost)> Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool ChangeRequest { get; init; }

        public string Name => "usage";

        public GatewayOperations Operations => GatewayOperations.Chat;

        public ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
        {
            context.RequireUsage = true;
            if (ChangeRequest)
            {
                context.ChatRequest = context.ChatRequest with { Temperature = 0.5 };
            }

            context.OnCompleted(static (context, state) =>
            {
                ((UsageStage)state!).Completed.TrySetResult((context.Usage, context.Cost));
                return ValueTask.CompletedTask;
            }, this);
            return next(context, cancellationToken);
        }
    }
}
