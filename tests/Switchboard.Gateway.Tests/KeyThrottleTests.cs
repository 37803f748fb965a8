using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OpenAI;
using OpenAI.Chat;
using Switchboard.Gateway.Configuration;
using Switchboard.Gateway.Tests.Infrastructure;
using Switchboard.Testing;

namespace Switchboard.Gateway.Tests;

/// <summary>
/// Wrong keys in request headers, limited per client address (<c>auth.failed_key_*</c>) on every endpoint that takes
/// a key, over real HTTP: the OpenAI SDK for <c>/v1</c>, plain requests for the admin and dashboard APIs.
/// </summary>
public sealed class KeyThrottleTests
{
    private const int Limit = 3;
    private const string WrongKey = "sk-sb-wrongwrongwrongwrongwrongwrongwrongwrong00";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string?> Environment(params (string Name, string? Value)[] more) =>
        KeyedGateway.Environment([("SWITCHBOARD__auth__failed_key_limit", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture)), .. more]);

    private static ChatClient Sdk(TestGateway gateway, string key) => new OpenAIClient(
        new ApiKeyCredential(key),
        new OpenAIClientOptions { Endpoint = new Uri(gateway.BaseUrl + "/v1"), RetryPolicy = new ClientRetryPolicy(maxRetries: 0) }).GetChatClient("mock-echo");

    private static async Task<ClientResultException> RefusedAsync(ChatClient chat) =>
        await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync(["hello"], cancellationToken: Ct));

    private static async Task<HttpResponseMessage> SendAsync(TestGateway gateway, string path, string? key, string? forwardedFor = null, string header = "authorization")
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null)
        {
            if (header == "authorization")
            {
                message.Headers.Authorization = new("Bearer", key);
            }
            else
            {
                message.Headers.Add(header, key);
            }
        }

        if (forwardedFor is not null)
        {
            message.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        return await gateway.Http.SendAsync(message, Ct);
    }

    private static async Task FailAsync(TestGateway gateway, int times, string? forwardedFor = null)
    {
        for (var i = 0; i < times; i++)
        {
            using var wrong = await SendAsync(gateway, "/v1/models", WrongKey + i, forwardedFor);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
    }

    [Fact]
    public async Task WrongKeysPastTheLimitGet429WithRetryAfterThroughTheOpenAISdk()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await TestGateway.StartAsync(environment: Environment(), timeProvider: clock);

        for (var i = 0; i < Limit; i++)
        {
            Assert.Equal(401, (await RefusedAsync(Sdk(gateway, $"guess-{i}-of-the-master-key"))).Status);
        }

        clock.Advance(TimeSpan.FromMinutes(1));
        var refused = await RefusedAsync(Sdk(gateway, "guess-4-of-the-master-key"));
        Assert.Equal(429, refused.Status);
        var response = refused.GetRawResponse()!;
        Assert.True(response.Headers.TryGetValue("retry-after", out var retryAfter));
        Assert.Equal("240", retryAfter);
        using var body = JsonDocument.Parse(response.Content.ToString());
        var error = body.RootElement.GetProperty("error");
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task AThrottledAddressIsRefusedEvenWithTheMasterKeyWhileVerifiedVirtualKeysKeepWorking()
    {
        await using var gateway = await TestGateway.StartAsync(environment: Environment());
        var (_, teammate) = await gateway.CreateKeyAsync(new { name = "teammate" }, Ct);
        var (_, unused) = await gateway.CreateKeyAsync(new { name = "not-used-yet" }, Ct);
        var answer = await Sdk(gateway, teammate).CompleteChatAsync(["hello"], cancellationToken: Ct);
        Assert.Equal("hello", answer.Value.Content[0].Text);

        await FailAsync(gateway, Limit);

        // Not tried while the address waits: a right guess at the master key looks like any other.
        Assert.Equal(429, (await RefusedAsync(Sdk(gateway, KeyedGateway.MasterKey))).Status);
        // Neither is a virtual key this process never verified (it could be a guess).
        Assert.Equal(429, (await RefusedAsync(Sdk(gateway, unused))).Status);
        // A key verified before works on: one bad client does not lock out a team behind the same address.
        answer = await Sdk(gateway, teammate).CompleteChatAsync(["still here"], cancellationToken: Ct);
        Assert.Equal("still here", answer.Value.Content[0].Text);
        // No key at all guesses nothing: the usual 401.
        using var anonymous = await SendAsync(gateway, "/v1/models", key: null);
        await ErrorAssert.IsOpenAIErrorAsync(anonymous, HttpStatusCode.Unauthorized, code: "invalid_api_key");
    }

    [Fact]
    public async Task TheWindowEndsOnTheInjectedClockAndAValidKeyClearsNoCount()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await TestGateway.StartAsync(environment: Environment(("SWITCHBOARD__auth__failed_key_window", "10m")), timeProvider: clock);

        await FailAsync(gateway, Limit - 1);
        using (var master = await SendAsync(gateway, "/v1/models", KeyedGateway.MasterKey))
        {
            Assert.Equal(HttpStatusCode.OK, master.StatusCode);
        }

        // The success above did not wipe the two failures: one more closes the address.
        await FailAsync(gateway, 1);
        clock.Advance(TimeSpan.FromMinutes(9));
        using (var waiting = await SendAsync(gateway, "/admin/keys", KeyedGateway.MasterKey))
        {
            await ErrorAssert.IsOpenAIErrorAsync(waiting, HttpStatusCode.TooManyRequests, code: "rate_limit_exceeded");
            Assert.Equal(TimeSpan.FromMinutes(1), waiting.Headers.RetryAfter?.Delta);
        }

        clock.Advance(TimeSpan.FromMinutes(1));
        using (var open = await SendAsync(gateway, "/admin/keys", KeyedGateway.MasterKey))
        {
            Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        }

        // A new window: the count starts again from nothing.
        await FailAsync(gateway, Limit);
        using var closed = await SendAsync(gateway, "/v1/models", KeyedGateway.MasterKey);
        Assert.Equal(HttpStatusCode.TooManyRequests, closed.StatusCode);
    }

    [Fact]
    public async Task WrongKeysCountOnTheAdminDashboardAndMetricsEndpointsAndInAnApiKeyHeader()
    {
        await using var gateway = await TestGateway.StartAsync(
            "providers: [{name: mock, type: mock}]\nmodels: [{name: mock-echo, deployments: [{provider: mock}]}]\ntelemetry: {prometheus: {enabled: true}}",
            environment: Environment());

        using (var admin = await SendAsync(gateway, "/admin/keys", WrongKey))
        using (var dashboard = await SendAsync(gateway, "/ui/api/session", WrongKey, header: "api-key"))
        using (var metrics = await SendAsync(gateway, "/metrics", WrongKey))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, admin.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, dashboard.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, metrics.StatusCode);
        }

        using var refused = await SendAsync(gateway, "/metrics", KeyedGateway.MasterKey, header: "api-key");
        await ErrorAssert.IsOpenAIErrorAsync(refused, HttpStatusCode.TooManyRequests, code: "rate_limit_exceeded");
    }

    [Fact]
    public async Task AVirtualKeyOnTheAdminApiAndRequestsWithoutAKeyAreNotCounted()
    {
        await using var gateway = await TestGateway.StartAsync(environment: Environment());
        var (_, key) = await gateway.CreateKeyAsync(new { name = "not-an-admin" }, Ct);
        using (var verified = await SendAsync(gateway, "/v1/models", key))
        {
            Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        }

        for (var i = 0; i < Limit * 2; i++)
        {
            using var notAdmin = await SendAsync(gateway, "/admin/keys", key);
            using var anonymous = await SendAsync(gateway, "/v1/models", key: null);
            Assert.Equal(HttpStatusCode.Unauthorized, notAdmin.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using var master = await SendAsync(gateway, "/admin/keys", KeyedGateway.MasterKey);
        Assert.Equal(HttpStatusCode.OK, master.StatusCode);
    }

    [Fact]
    public async Task A401FromAMockFixtureToTheMasterKeyIsNotAWrongKey()
    {
        var folder = Directory.CreateTempSubdirectory("switchboard-throttle-");
        using var cleanup = new FolderCleanup(folder);
        var fixtures = Path.Combine(folder.FullName, "refuses.yaml");
        await File.WriteAllTextAsync(fixtures, """
            fixtures:
              - name: refuses
                response: { error: { status: 401, message: The mock says no. } }
            """, Ct);
        await using var gateway = await TestGateway.StartAsync(
            $$"""
            providers:
              - {name: fake, type: mock, fixtures: "{{fixtures}}"}
            models:
              - {name: m, deployments: [{provider: fake}]}
            """,
            environment: Environment());
        var chat = new OpenAIClient(
            new ApiKeyCredential(KeyedGateway.MasterKey),
            new OpenAIClientOptions { Endpoint = new Uri(gateway.BaseUrl + "/v1"), RetryPolicy = new ClientRetryPolicy(maxRetries: 0) }).GetChatClient("m");

        for (var i = 0; i <= Limit; i++)
        {
            Assert.Equal(401, (await RefusedAsync(chat)).Status);
        }

        using var models = await SendAsync(gateway, "/v1/models", KeyedGateway.MasterKey);
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
    }

    [Fact]
    public async Task ClientsBehindATrustedProxyAreCountedApart()
    {
        await using var gateway = await TestGateway.StartAsync(environment: Environment(("SWITCHBOARD__server__trusted_proxies__0", "127.0.0.1")));

        await FailAsync(gateway, Limit, forwardedFor: "203.0.113.66");

        using (var guesser = await SendAsync(gateway, "/v1/models", KeyedGateway.MasterKey, forwardedFor: "203.0.113.66"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, guesser.StatusCode);
        }

        // Another client of the same proxy, and another host of a different IPv6 /64, are not held up ...
        using (var neighbour = await SendAsync(gateway, "/v1/models", KeyedGateway.MasterKey, forwardedFor: "203.0.113.7"))
        {
            Assert.Equal(HttpStatusCode.OK, neighbour.StatusCode);
        }

        await FailAsync(gateway, Limit, forwardedFor: "2001:db8:0:1::1");
        using (var sameNetwork = await SendAsync(gateway, "/v1/models", KeyedGateway.MasterKey, forwardedFor: "2001:db8:0:1::ffff"))
        using (var otherNetwork = await SendAsync(gateway, "/v1/models", KeyedGateway.MasterKey, forwardedFor: "2001:db8:0:2::1"))
        {
            // ... but one /64 is one client.
            Assert.Equal(HttpStatusCode.TooManyRequests, sameNetwork.StatusCode);
            Assert.Equal(HttpStatusCode.OK, otherNetwork.StatusCode);
        }

        // The proxy's own address was never counted.
        using var direct = await SendAsync(gateway, "/v1/models", KeyedGateway.MasterKey);
        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
    }

    [Fact]
    public async Task AThrottledAddressIsLoggedOnceNotForEveryRefusedRequest()
    {
        var logs = new LogCapture();
        await using var gateway = await TestGateway.StartAsync(environment: Environment(), logs: logs);

        await FailAsync(gateway, Limit);
        for (var i = 0; i < 5; i++)
        {
            using var refused = await SendAsync(gateway, "/v1/models", WrongKey);
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        }

        var line = Assert.Single(logs.AtLeast(LogLevel.Warning), e => e.EventId.Id == 331);
        Assert.Contains("127.0.0.1", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ZeroTurnsTheLimitOff()
    {
        await using var gateway = await TestGateway.StartAsync(environment: KeyedGateway.Environment(("SWITCHBOARD__auth__failed_key_limit", "0")));

        await FailAsync(gateway, 25);

        using var master = await SendAsync(gateway, "/v1/models", KeyedGateway.MasterKey);
        Assert.Equal(HttpStatusCode.OK, master.StatusCode);
    }

    [Fact]
    public async Task TheDefaultLimitIsTwentyWrongKeysInFiveMinutes()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await TestGateway.StartAsync(environment: KeyedGateway.Environment(), timeProvider: clock);

        await FailAsync(gateway, 20);

        using var refused = await SendAsync(gateway, "/v1/models", KeyedGateway.MasterKey);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromMinutes(5), refused.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public void NegativeOrZeroSettingsStopStartUpWithOneLineEach()
    {
        var error = Assert.Throws<ConfigurationFileException>(() => GatewayHost.Build(new GatewayHostOptions
        {
            Port = 0,
            Environment = KeyedGateway.Environment(
                ("SWITCHBOARD__auth__failed_key_limit", "-1"),
                ("SWITCHBOARD__auth__failed_key_window", "0s"),
                ("SWITCHBOARD__auth__failed_key_addresses", "-5")),
            ConfigureServices = Cli.Commands.BuiltInProviders.Register,
        }));

        var lines = error.Message.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("embedded default: auth.failed_key_limit: must be 0 (no limit) or more, not -1", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("embedded default: auth.failed_key_window:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("embedded default: auth.failed_key_addresses:", StringComparison.Ordinal));
    }

    private sealed class FolderCleanup(DirectoryInfo folder) : IDisposable
    {
        public void Dispose() => folder.Delete(recursive: true);
    }
}
