using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using OpenAI;
using OpenAI.Chat;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests.Limits;

/// <summary>
/// Two gateways sharing one Redis enforce one limit together; with Redis stopped they fail open (each counts
/// alone) or closed (503). Two in-process gateways on one fake clock, asked with the official OpenAI SDK.
/// </summary>
public sealed class SharedRedisGatewayTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 14, 12, 0, 0, TimeSpan.Zero));
    private readonly List<IAsyncDisposable> _disposables = [];
    private readonly string _model = "shared-" + Guid.NewGuid().ToString("N")[..8];
    private FakeUpstream _upstream = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync((context, body) =>
            OpenAIUpstreamResponses.WriteJsonAsync(context.Response, OpenAIUpstreamResponses.Completion("m", "Hello!")));
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _disposables.Count - 1; i >= 0; i--)
        {
            await _disposables[i].DisposeAsync();
        }

        await _upstream.DisposeAsync();
    }

    private async Task<(TestGateway Gateway, CallerAndCompletionStage Stage)> GatewayAsync(string redis, int rpm, bool failOpen = true)
    {
        var stage = new CallerAndCompletionStage();
        var gateway = await TestGateway.StartAsync(
            $$"""
            providers:
              - {name: upstream, type: openai, base_url: "{{_upstream.BaseUrl}}/v1"}
            models:
              - name: {{_model}}
                rpm: {{rpm}}
                deployments: [{provider: upstream, model: m}]
            redis: "{{redis}}"
            limits: {redis_fail_open: {{(failOpen ? "true" : "false")}}, redis_timeout: 2s}
            """,
            timeProvider: _time,
            configureServices: services => stage.Register(services));
        _disposables.Add(gateway);
        return (gateway, stage);
    }

    private ChatClient Chat(TestGateway gateway) => new OpenAIClient(
        new ApiKeyCredential("sk-anything"),
        new OpenAIClientOptions { Endpoint = new Uri(gateway.BaseUrl + "/v1"), RetryPolicy = new ClientRetryPolicy(maxRetries: 0) }).GetChatClient(_model);

    /// <summary>The status of one request, and its x-ratelimit-remaining-requests.</summary>
    private static async Task<(int Status, string? Remaining, JsonElement? Error)> AskAsync(ChatClient chat, CallerAndCompletionStage stage)
    {
        var completed = stage.NextCompletion();
        PipelineResponse response;
        try
        {
            response = (await chat.CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Ct)).GetRawResponse();
        }
        catch (ClientResultException ex)
        {
            response = ex.GetRawResponse()!;
        }

        await completed;
        JsonElement? error = null;
        if (response.Status >= 400)
        {
            using var body = JsonDocument.Parse(response.Content.ToString());
            error = body.RootElement.GetProperty("error").Clone();
        }

        return (response.Status, response.Headers.TryGetValue("x-ratelimit-remaining-requests", out var remaining) ? remaining : null, error);
    }

    [Fact]
    public async Task TwoGatewaysSharingRedisEnforceOneLimitExactly()
    {
        Assert.SkipWhen(RedisServer.SharedMissingReason is not null, RedisServer.SharedMissingReason ?? string.Empty);
        var (a, stageA) = await GatewayAsync(RedisServer.Shared!, rpm: 5);
        var (b, stageB) = await GatewayAsync(RedisServer.Shared!, rpm: 5);
        var chatA = Chat(a);
        var chatB = Chat(b);

        var answers = new List<(int, string?)>();
        for (var i = 0; i < 7; i++)
        {
            var (status, remaining, _) = await (i % 2 == 0 ? AskAsync(chatA, stageA) : AskAsync(chatB, stageB));
            answers.Add((status, remaining));
        }

        Assert.Equal([(200, "4"), (200, "3"), (200, "2"), (200, "1"), (200, "0"), (429, "0"), (429, "0")], answers);
        Assert.Equal(5, _upstream.Requests.Count);

        // 12 s later one request's worth is back, for both.
        _time.Advance(TimeSpan.FromSeconds(12));
        Assert.Equal(200, (await AskAsync(chatB, stageB)).Status);
        Assert.Equal(429, (await AskAsync(chatA, stageA)).Status);
    }

    [Fact]
    public async Task WithRedisStoppedRequestsKeepFlowingUnderEachGatewaysOwnLimit()
    {
        Assert.SkipWhen(RedisServer.ExecutableMissingReason is not null, RedisServer.ExecutableMissingReason ?? string.Empty);
        var redis = await RedisServer.StartAsync(Ct);
        _disposables.Add(redis);
        var (gateway, stage) = await GatewayAsync(redis.Configuration, rpm: 2);
        var chat = Chat(gateway);
        Assert.Equal((200, "1"), Pick(await AskAsync(chat, stage)));

        await redis.StopAsync();

        // This process's own counters start full: two more pass, then its own limit holds.
        Assert.Equal((200, "1"), Pick(await AskAsync(chat, stage)));
        Assert.Equal((200, "0"), Pick(await AskAsync(chat, stage)));
        Assert.Equal(429, (await AskAsync(chat, stage)).Status);
    }

    [Fact]
    public async Task WithRedisStoppedAndFailClosedRequestsGet503()
    {
        Assert.SkipWhen(RedisServer.ExecutableMissingReason is not null, RedisServer.ExecutableMissingReason ?? string.Empty);
        var redis = await RedisServer.StartAsync(Ct);
        _disposables.Add(redis);
        var (gateway, stage) = await GatewayAsync(redis.Configuration, rpm: 2, failOpen: false);
        var chat = Chat(gateway);
        Assert.Equal(200, (await AskAsync(chat, stage)).Status);

        await redis.StopAsync();
        var (status, _, error) = await AskAsync(chat, stage);

        Assert.Equal(503, status);
        Assert.Equal("rate_limiter_unavailable", error!.Value.GetProperty("code").GetString());
        Assert.Single(_upstream.Requests);
    }

    private static (int, string?) Pick((int Status, string? Remaining, JsonElement? Error) answer) => (answer.Status, answer.Remaining);
}
