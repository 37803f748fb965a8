using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>One usage row per request, written after the answer (after a stream's last event), with the upstream's usage.</summary>
public sealed class UsageRecordTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Upstream(string url) => $$"""
        providers:
          - {name: upstream, type: openai, base_url: "{{url}}/v1"}
        models:
          - name: m
            deployments: [{provider: upstream, model: m-up, input_per_million: 1, output_per_million: 2}]
        """;

    [Fact]
    public async Task AStreamIsRecordedAfterItsLastEventWithTheUpstreamsUsage()
    {
        await using var upstream = await FakeUpstream.StartAsync(async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await OpenAIUpstreamResponses.WriteEventAsync(context.Response, OpenAIUpstreamResponses.Chunk("m-up", "Hel", role: true));
            await OpenAIUpstreamResponses.WriteEventAsync(context.Response, OpenAIUpstreamResponses.Chunk("m-up", "lo", "stop"));
            await OpenAIUpstreamResponses.WriteEventAsync(context.Response, """{"id":"c","object":"chat.completion.chunk","created":1,"model":"m-up","choices":[],"usage":{"prompt_tokens":30,"completion_tokens":2,"total_tokens":32}}""");
            await OpenAIUpstreamResponses.WriteEventAsync(context.Response, "[DONE]");
        });
        await using var gateway = await TestGateway.StartAsync(Upstream(upstream.BaseUrl));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = KeyedGateway.Chat("m", stream: true) };
        request.Headers.Add("x-request-id", "stream-1");

        using var response = await gateway.Http.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
        var row = Assert.Single(await gateway.UsageRowsAsync(1, Ct));
        Assert.Equal(("stream-1", true, 200, (string?)null), (row.RequestId, row.Stream, row.Status, row.ErrorCode));
        Assert.Equal((30, 2), (row.InputTokens, row.OutputTokens));
        Assert.Equal((30 * 1L + 2 * 2L) * 1000, row.CostNanoUsd);
        Assert.Equal(("m", "m-up", "upstream", "upstream/m-up"), (row.RequestedModel, row.ServedModel, row.Provider, row.Deployment));
        Assert.NotNull(row.TtftMs);
        Assert.True(row.LatencyMs >= row.TtftMs);
        Assert.Equal(1, row.Attempts);
        Assert.Equal("bypass", row.CacheResult);
    }

    [Fact]
    public async Task AStreamWhoseClientDidNotAskForUsageIsRecordedWithTheUsageTheGatewayAskedFor()
    {
        // Like OpenAI, this upstream sends the usage event only when the request asks for it.
        await using var upstream = await FakeUpstream.StartAsync(async (context, body) =>
        {
            context.Response.ContentType = "text/event-stream";
            await OpenAIUpstreamResponses.WriteEventAsync(context.Response, OpenAIUpstreamResponses.Chunk("m-up", "Hel", role: true));
            await OpenAIUpstreamResponses.WriteEventAsync(context.Response, OpenAIUpstreamResponses.Chunk("m-up", "lo", "stop"));
            if (body!.RootElement.TryGetProperty("stream_options", out var options) && options.GetProperty("include_usage").GetBoolean())
            {
                await OpenAIUpstreamResponses.WriteEventAsync(context.Response, """{"id":"c","object":"chat.completion.chunk","created":1,"model":"m-up","choices":[],"usage":{"prompt_tokens":30,"completion_tokens":2,"total_tokens":32}}""");
            }

            await OpenAIUpstreamResponses.WriteEventAsync(context.Response, "[DONE]");
        });
        await using var gateway = await TestGateway.StartAsync(Upstream(upstream.BaseUrl));

        using var response = await gateway.Http.PostAsync("/v1/chat/completions", KeyedGateway.Chat("m", stream: true), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
        Assert.DoesNotContain("usage", body, StringComparison.Ordinal);
        var row = Assert.Single(await gateway.UsageRowsAsync(1, Ct));
        Assert.Equal((30, 2), (row.InputTokens, row.OutputTokens));
    }

    [Fact]
    public async Task AFailedRequestIsRecordedWithItsStatusAndCode()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json("""{"error":{"message":"boom","type":"server_error"}}""", 500));
        await using var gateway = await TestGateway.StartAsync(Upstream(upstream.BaseUrl));

        using var response = await gateway.Http.PostAsync("/v1/chat/completions", KeyedGateway.Chat("m"), Ct);
        using var invalid = await gateway.Http.PostAsync("/v1/chat/completions", new StringContent("""{"model":"m","messages":[]}""", Encoding.UTF8, "application/json"), Ct);

        var rows = await gateway.UsageRowsAsync(2, Ct);
        Assert.Equal(2, rows.Count);
        Assert.Equal((int)response.StatusCode, rows[0].Status);
        Assert.NotNull(rows[0].ErrorCode);
        Assert.Equal(0, rows[0].CostNanoUsd);
        Assert.Equal((400, "m"), (rows[1].Status, rows[1].RequestedModel));
    }

    [Fact]
    public async Task KeysNeverAppearInAnyTableOrLogLine()
    {
        var log = new CapturingLoggerProvider();
        await using var gateway = await TestGateway.StartAsync(
            environment: KeyedGateway.Environment(),
            logging: builder => builder.AddProvider(log).SetMinimumLevel(LogLevel.Trace));
        var (_, key) = await gateway.CreateKeyAsync(new { name = "secret-keeper" }, Ct);
        using (var client = gateway.Client(key))
        {
            for (var i = 0; i < 3; i++)
            {
                using var response = await client.PostAsync("/v1/chat/completions", KeyedGateway.Chat(), Ct);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        using (var wrong = gateway.Client(key + "x"))
        using (var denied = await wrong.PostAsync("/v1/chat/completions", KeyedGateway.Chat(), Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        }

        // The refused call leaves a record too (usage stands before auth), without a key.
        var rows = await gateway.UsageRowsAsync(4, Ct);
        Assert.Equal(4, rows.Count);
        Assert.Equal((401, (string?)null), (rows[^1].Status, rows[^1].KeyId));
        await gateway.StopAsync(Ct);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        var secretPart = key[14..];
        foreach (var file in Directory.GetFiles(gateway.Folder, "switchboard.db*"))
        {
            var bytes = await File.ReadAllBytesAsync(file, Ct);
            Assert.DoesNotContain(secretPart, Encoding.Latin1.GetString(bytes), StringComparison.Ordinal);
            Assert.DoesNotContain(KeyedGateway.MasterKey, Encoding.Latin1.GetString(bytes), StringComparison.Ordinal);
        }

        Assert.NotEmpty(log.Lines);
        Assert.DoesNotContain(log.Lines, l => l.Contains(secretPart, StringComparison.Ordinal) || l.Contains(KeyedGateway.MasterKey, StringComparison.Ordinal));
    }
}
