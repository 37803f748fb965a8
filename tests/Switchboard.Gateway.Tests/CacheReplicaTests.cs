using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>
/// Two <c>switchboard serve</c> processes with one Redis (from scripts/test-services.sh, SWITCHBOARD_TEST_REDIS):
/// what one stores the other serves, a replica started later finds the semantic entries already there, and a purge
/// on one stops the other from serving them.
/// </summary>
public sealed class CacheReplicaTests : IAsyncLifetime
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("switchboard-replicas-");
    private AnsweringUpstream _upstream = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _upstream = await AnsweringUpstream.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _upstream.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task TwoGatewayProcessesShareTheCacheThroughRedis()
    {
        var redis = Environment.GetEnvironmentVariable("SWITCHBOARD_TEST_REDIS");
        Assert.SkipWhen(string.IsNullOrEmpty(redis), "SWITCHBOARD_TEST_REDIS is not set (scripts/test-services.sh starts Redis)");
        var config = Path.Combine(_directory.FullName, "switchboard.yaml");
        await File.WriteAllTextAsync(config, $$"""
            providers:
              - {name: up, type: openai, base_url: "{{_upstream.BaseUrl}}/v1"}
            models:
              - {name: gpt-4o-mini, deployments: [{provider: up, model: gpt-4o-mini}]}
            cache:
              exact: true
              semantic: {enabled: true, store: redis, sync_interval: 1h}
              redis_prefix: "test:{{Guid.NewGuid():N}}:"
            redis: "{{redis}}"
            auth: {master_key: "{{KeyedGateway.MasterKey}}"}
            """, Ct);

        await using var first = await GatewayProcess.StartAsync(config, Ct);
        var firstAnswer = await AskAsync(first, "How do I reset my password?");
        Assert.Equal(("miss", "answer 1: How do I reset my password?"), firstAnswer);

        await using var second = await GatewayProcess.StartAsync(config, Ct);
        Assert.Equal(("hit", firstAnswer.Text), await AskAsync(second, "How do I reset my password?"));
        Assert.Equal(("semantic", firstAnswer.Text), await AskAsync(second, "How can I reset my password?"));
        Assert.Equal(1, _upstream.ChatCalls);

        second.Http.DefaultRequestHeaders.Authorization = new("Bearer", KeyedGateway.MasterKey);
        using (var purge = await second.Http.DeleteAsync("/admin/cache", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
            using var purged = JsonDocument.Parse(await purge.Content.ReadAsStringAsync(Ct));
            Assert.Equal(1, purged.RootElement.GetProperty("exact").GetInt64());
            Assert.Equal(1, purged.RootElement.GetProperty("semantic").GetInt64());
        }

        Assert.Equal(("miss", "answer 2: How do I reset my password?"), await AskAsync(first, "How do I reset my password?"));
    }

    private static async Task<(string Cache, string Text)> AskAsync(GatewayProcess gateway, string question)
    {
        var headers = new HeaderPolicy();
        var options = new OpenAIClientOptions { Endpoint = new Uri(gateway.BaseUrl + "/v1"), RetryPolicy = new ClientRetryPolicy(maxRetries: 0) };
        options.AddPolicy(headers, PipelinePosition.PerCall);
        var chat = new OpenAIClient(new ApiKeyCredential(KeyedGateway.MasterKey), options).GetChatClient("gpt-4o-mini");
        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage(question)], cancellationToken: Ct);
        return (headers.Last("x-switchboard-cache")!, completion.Content[0].Text);
    }
}
