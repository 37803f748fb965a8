using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenAI;
using Switchboard.Gateway.Configuration;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>Keys at the door: the master key, virtual keys from the database, and what callers without one get.</summary>
public sealed class AuthTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static OpenAIClient Sdk(TestGateway gateway, string key) => new(
        new ApiKeyCredential(key),
        new OpenAIClientOptions { Endpoint = new Uri(gateway.BaseUrl + "/v1"), RetryPolicy = new ClientRetryPolicy(maxRetries: 0) });

    [Fact]
    public async Task Returns401WithoutAKey()
    {
        await using var gateway = await TestGateway.StartAsync(environment: KeyedGateway.Environment());
        using var anonymous = gateway.Client(null);

        using var response = await anonymous.PostAsync("/v1/chat/completions", KeyedGateway.Chat(), Ct);

        var error = await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.Unauthorized, code: "invalid_api_key");
        Assert.Equal("authentication_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task AVirtualKeyWorksThroughTheOpenAISdkAndInAnApiKeyHeader()
    {
        await using var gateway = await TestGateway.StartAsync(environment: KeyedGateway.Environment());
        var (_, key) = await gateway.CreateKeyAsync(new { name = "sdk" }, Ct);

        var completion = await Sdk(gateway, key).GetChatClient("mock-echo").CompleteChatAsync(["hello"], cancellationToken: Ct);
        using var azureStyle = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        azureStyle.DefaultRequestHeaders.Add("api-key", key);
        using var response = await azureStyle.PostAsync("/v1/chat/completions", KeyedGateway.Chat(), Ct);

        Assert.Equal("hello", completion.Value.Content[0].Text);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task UnknownRevokedAndExpiredKeysGetTheSame401()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await TestGateway.StartAsync(environment: KeyedGateway.Environment(), timeProvider: time);
        var (revokedId, revoked) = await gateway.CreateKeyAsync(new { name = "revoked" }, Ct);
        var (_, expiring) = await gateway.CreateKeyAsync(new { name = "expiring", expires = "1h" }, Ct);
        using (var before = gateway.Client(expiring))
        using (var ok = await before.PostAsync("/v1/chat/completions", KeyedGateway.Chat(), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using (var admin = gateway.Client(KeyedGateway.MasterKey))
        using (var revoke = await admin.DeleteAsync($"/admin/keys/{revokedId}", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        time.Advance(TimeSpan.FromHours(2));
        var bodies = new List<string>();
        foreach (var key in new[] { "sk-sb-" + new string('x', 43), revoked, expiring })
        {
            using var client = gateway.Client(key);
            using var response = await client.PostAsync("/v1/chat/completions", KeyedGateway.Chat(), Ct);
            await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.Unauthorized, code: "invalid_api_key");
            bodies.Add(await response.Content.ReadAsStringAsync(Ct));
        }

        Assert.Single(bodies.Distinct());
    }

    [Fact]
    public async Task Returns403WhenTheKeyMayNotUseTheModel()
    {
        await using var gateway = await TestGateway.StartAsync(environment: KeyedGateway.Environment());
        var (_, key) = await gateway.CreateKeyAsync(new { name = "narrow", models = new[] { "mock-emb*" } }, Ct);
        using var client = gateway.Client(key);

        using var chat = await client.PostAsync("/v1/chat/completions", KeyedGateway.Chat("mock-echo"), Ct);
        using var embeddings = await client.PostAsync("/v1/embeddings", new StringContent("""{"model":"mock-embedding","input":"x"}""", System.Text.Encoding.UTF8, "application/json"), Ct);

        var error = await ErrorAssert.IsOpenAIErrorAsync(chat, HttpStatusCode.Forbidden, param: "model", code: "model_not_allowed");
        Assert.Equal("permission_error", error.GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.OK, embeddings.StatusCode);
    }

    [Fact]
    public async Task ModelsAndEmbeddingsNeedAKeyToo()
    {
        await using var gateway = await TestGateway.StartAsync(environment: KeyedGateway.Environment());
        using var anonymous = gateway.Client(null);
        using var master = gateway.Client(KeyedGateway.MasterKey);

        using var models = await anonymous.GetAsync("/v1/models", Ct);
        using var embeddings = await anonymous.PostAsync("/v1/embeddings", new StringContent("""{"model":"mock-embedding","input":"x"}""", System.Text.Encoding.UTF8, "application/json"), Ct);
        using var masterModels = await master.GetAsync("/v1/models", Ct);
        using var masterChat = await master.PostAsync("/v1/chat/completions", KeyedGateway.Chat(), Ct);

        await ErrorAssert.IsOpenAIErrorAsync(models, HttpStatusCode.Unauthorized);
        await ErrorAssert.IsOpenAIErrorAsync(embeddings, HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, masterModels.StatusCode);
        Assert.Equal(HttpStatusCode.OK, masterChat.StatusCode);
    }

    [Fact]
    public async Task ARevokeReachesAnotherReplicaOnceItsCacheEntryExpires()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var first = await TestGateway.StartAsync(environment: KeyedGateway.Environment(), timeProvider: time);
        var shared = KeyedGateway.Environment(
            ("SWITCHBOARD__database__connection", $"Data Source={Path.Combine(first.Folder, "switchboard.db")}"),
            ("SWITCHBOARD__auth__key_cache_ttl", "5s"));
        await using var second = await TestGateway.StartAsync(environment: shared, timeProvider: time);
        var (id, key) = await first.CreateKeyAsync(new { name = "shared" }, Ct);
        using var viaSecond = second.Client(key);
        using (var warm = await viaSecond.PostAsync("/v1/chat/completions", KeyedGateway.Chat(), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        using (var admin = first.Client(KeyedGateway.MasterKey))
        using (var revoke = await admin.DeleteAsync($"/admin/keys/{id}", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        using var cached = await viaSecond.PostAsync("/v1/chat/completions", KeyedGateway.Chat(), Ct);
        time.Advance(TimeSpan.FromSeconds(6));
        using var expired = await viaSecond.PostAsync("/v1/chat/completions", KeyedGateway.Chat(), Ct);

        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
    }

    [Fact]
    public void WithoutAMasterKeyTheGatewayRefusesToListenBeyondLoopback()
    {
        var error = Assert.Throws<ConfigurationFileException>(() => GatewayHost.Build(new GatewayHostOptions
        {
            Host = "0.0.0.0",
            Port = 0,
            Environment = new Dictionary<string, string?>(),
            ConfigureServices = Cli.Commands.BuiltInProviders.Register,
        }));

        Assert.Contains("--host 0.0.0.0", error.Message, StringComparison.Ordinal);
        Assert.Contains("auth.allow_anonymous", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("SWITCHBOARD__auth__allow_anonymous", "true")]
    [InlineData("SWITCHBOARD_MASTER_KEY", KeyedGateway.MasterKey)]
    public async Task AnyAddressIsFineWithAuthOrWithAnonymousAccessOnPurpose(string variable, string value)
    {
        var folder = Directory.CreateTempSubdirectory("switchboard-open-");
        try
        {
            await using var app = GatewayHost.Build(new GatewayHostOptions
            {
                Host = "0.0.0.0",
                Port = 0,
                Environment = new Dictionary<string, string?>
                {
                    [variable] = value,
                    ["SWITCHBOARD__database__connection"] = $"Data Source={Path.Combine(folder.FullName, "x.db")}",
                },
                ConfigureServices = Cli.Commands.BuiltInProviders.Register,
            });

            Assert.NotNull(app);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void AShortMasterKeyStopsStartUpNamingTheKey()
    {
        var error = Assert.Throws<ConfigurationFileException>(() => GatewayHost.Build(new GatewayHostOptions
        {
            Port = 0,
            Environment = new Dictionary<string, string?> { ["SWITCHBOARD_MASTER_KEY"] = "short" },
            ConfigureServices = Cli.Commands.BuiltInProviders.Register,
        }));

        Assert.StartsWith("embedded default: auth.master_key:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheEndUserComesFromTheUserFieldElseTheHeader()
    {
        await using var gateway = await TestGateway.StartAsync(environment: KeyedGateway.Environment());
        var (id, key) = await gateway.CreateKeyAsync(new { name = "team-key", user = "alice", team = "ml" }, Ct);
        using var client = gateway.Client(key);

        using (await client.PostAsync("/v1/chat/completions", KeyedGateway.Chat(user: "from-body"), Ct))
        {
        }

        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = KeyedGateway.Chat() })
        {
            request.Headers.Add("x-switchboard-user", "from-header");
            using var response = await client.SendAsync(request, Ct);
        }

        var rows = await gateway.UsageRowsAsync(2, Ct);
        Assert.Equal(["from-body", "from-header"], rows.Select(r => r.EndUser));
        Assert.All(rows, r => Assert.Equal((id, "alice", "ml"), (r.KeyId, r.UserId, r.TeamId)));
    }
}
