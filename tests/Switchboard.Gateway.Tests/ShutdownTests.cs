using System.Text;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>Stopping the gateway (SIGTERM in a deployment) while a stream is under way.</summary>
public sealed class ShutdownTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Config(string upstream, string shutdownTimeout) => $$"""
        providers:
          - {name: upstream, type: openai, base_url: "{{upstream}}/v1"}
        models:
          - {name: m, deployments: [{provider: upstream}]}
        server:
          shutdown_timeout: {{shutdownTimeout}}
        """;

    [Fact]
    public async Task AStreamUnderWayFinishesWhileTheGatewayStops()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = HoldAfterFirstChunk(release.Task);
        await using var gateway = await TestGateway.StartAsync(Config(upstream.BaseUrl, "30s"));
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        guard.CancelAfter(Guard);

        using var response = await StartStreamAsync(gateway, guard.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(guard.Token));
        await ReadUntilAsync(reader, "first", guard.Token);

        var stopping = gateway.StopAsync(guard.Token);
        Assert.False(stopping.IsCompleted);
        release.SetResult();
        var rest = await reader.ReadToEndAsync(guard.Token);
        await stopping;

        Assert.Contains(" second", rest, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", rest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStreamStillOpenAfterTheShutdownTimeoutIsCut()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = HoldAfterFirstChunk(Task.Delay(Timeout.Infinite, Ct));
        await using var gateway = await TestGateway.StartAsync(Config(upstream.BaseUrl, "200ms"));
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        guard.CancelAfter(Guard);

        using var response = await StartStreamAsync(gateway, guard.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(guard.Token));
        await ReadUntilAsync(reader, "first", guard.Token);

        // Only the configured 200 ms, not the guard's 20 s, stands between this and a stopped gateway.
        await gateway.StopAsync(guard.Token);
        var rest = await ReadRestAsync(reader, guard.Token);

        Assert.DoesNotContain("[DONE]", rest, StringComparison.Ordinal);
        await upstream.RequestAborted.Task.WaitAsync(guard.Token);
    }

    private static Func<Microsoft.AspNetCore.Http.HttpContext, System.Text.Json.JsonDocument?, Task> HoldAfterFirstChunk(Task hold) => async (context, _) =>
    {
        context.Response.ContentType = "text/event-stream";
        await OpenAIUpstreamResponses.WriteEventAsync(context.Response, OpenAIUpstreamResponses.Chunk("m", "first", role: true));
        await hold.WaitAsync(context.RequestAborted);
        await OpenAIUpstreamResponses.WriteEventAsync(context.Response, OpenAIUpstreamResponses.Chunk("m", " second"));
        await OpenAIUpstreamResponses.WriteEventAsync(context.Response, OpenAIUpstreamResponses.Chunk("m", null, "stop"));
        await OpenAIUpstreamResponses.WriteEventAsync(context.Response, "[DONE]");
    };

    private static Task<HttpResponseMessage> StartStreamAsync(TestGateway gateway, CancellationToken cancellationToken) =>
        gateway.Http.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent("""{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
            },
            HttpCompletionOption.ResponseHeadersRead,
            cancellationToken);

    private static async Task ReadUntilAsync(StreamReader reader, string text, CancellationToken cancellationToken)
    {
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Contains(text, StringComparison.Ordinal))
            {
                return;
            }
        }

        Assert.Fail($"The stream ended before '{text}'.");
    }

    /// <summary>What is left of a body that may end with a reset connection rather than a clean end.</summary>
    private static async Task<string> ReadRestAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadToEndAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            return string.Empty;
        }
    }
}
