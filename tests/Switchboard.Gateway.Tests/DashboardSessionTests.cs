using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Switchboard.Gateway.Auth;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>
/// Signing in to the dashboard (an HttpOnly session cookie instead of the master key in the browser) and reading a
/// request's stored messages, over real HTTP. Cookies are sent by hand so each test says exactly what it sends.
/// </summary>
public sealed class DashboardSessionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SigningInSetsAStrictHttpOnlySessionCookieThatOpensTheDashboardAndAdminApis()
    {
        await using var gateway = await TestGateway.StartAsync(environment: KeyedGateway.Environment());
        using var http = CookieFreeClient(gateway);

        var cookie = await SignInAsync(http, KeyedGateway.MasterKey);
        Assert.Contains("httponly", cookie.Attributes, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie.Attributes, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie.Attributes, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("max-age=1800", cookie.Attributes, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie.Attributes.Replace("samesite", string.Empty, StringComparison.OrdinalIgnoreCase), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(KeyedGateway.MasterKey, cookie.Value, StringComparison.Ordinal);

        using var session = await SendAsync(http, HttpMethod.Get, "/ui/api/session", cookie.Value);
        Assert.Equal(HttpStatusCode.OK, session.StatusCode);
        Assert.Equal("session", (await session.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("signed_in_with").GetString());
        using var keys = await SendAsync(http, HttpMethod.Get, "/admin/keys", cookie.Value);
        Assert.Equal(HttpStatusCode.OK, keys.StatusCode);
        using var create = await SendAsync(http, HttpMethod.Post, "/admin/keys", cookie.Value, csrf: true, body: new { name = "from-the-dashboard" });
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
    }

    [Fact]
    public async Task TheCookieChangesNothingWithoutTheDashboardHeaderAndNeverCallsModels()
    {
        await using var gateway = await TestGateway.StartAsync(environment: KeyedGateway.Environment());
        using var http = CookieFreeClient(gateway);
        var cookie = await SignInAsync(http, KeyedGateway.MasterKey);

        // A form on another site could send a cookie (were it not SameSite) but never a custom header.
        using var forged = await SendAsync(http, HttpMethod.Post, "/admin/keys", cookie.Value, csrf: false, body: new { name = "forged" });
        await ErrorAssert.IsOpenAIErrorAsync(forged, HttpStatusCode.Unauthorized);
        using var chat = await SendAsync(http, HttpMethod.Post, "/v1/chat/completions", cookie.Value, csrf: true, body: new { model = "mock-echo", messages = new[] { new { role = "user", content = "hi" } } });
        await ErrorAssert.IsOpenAIErrorAsync(chat, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AWrongKeyGetsNoCookieAndATamperedOrSignedOutCookieOpensNothing()
    {
        await using var gateway = await TestGateway.StartAsync(environment: KeyedGateway.Environment());
        using var http = CookieFreeClient(gateway);

        using var wrong = await http.PostAsJsonAsync("/ui/api/login", new { key = "not-the-master-key-at-all" }, Ct);
        await ErrorAssert.IsOpenAIErrorAsync(wrong, HttpStatusCode.Unauthorized, param: "key");
        Assert.False(wrong.Headers.Contains("Set-Cookie"));

        var cookie = await SignInAsync(http, KeyedGateway.MasterKey);
        var parts = cookie.Value.Split('.');
        var forgedExpiry = $"{long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) + 86_400}.{parts[1]}.{parts[2]}";
        using var tampered = await SendAsync(http, HttpMethod.Get, "/ui/api/overview", forgedExpiry);
        await ErrorAssert.IsOpenAIErrorAsync(tampered, HttpStatusCode.Unauthorized);

        using var logout = await SendAsync(http, HttpMethod.Post, "/ui/api/logout", cookie.Value, csrf: true);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Contains(logout.Headers.GetValues("Set-Cookie"), c => c.StartsWith(DashboardSessions.CookieName + "=;", StringComparison.Ordinal));
        using var after = await SendAsync(http, HttpMethod.Get, "/ui/api/overview", cookie.Value);
        await ErrorAssert.IsOpenAIErrorAsync(after, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TheAuthorizationHeaderStillWorksWithoutSigningIn()
    {
        await using var gateway = await TestGateway.StartAsync(environment: KeyedGateway.Environment());
        using var admin = gateway.Client(KeyedGateway.MasterKey);
        var session = await admin.GetFromJsonAsync<JsonElement>("/ui/api/session", Ct);
        Assert.Equal("header", session.GetProperty("signed_in_with").GetString());
    }

    [Fact]
    public async Task WithoutAMasterKeyLoopbackNeedsNoSignInAndCannotSignIn()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = CookieFreeClient(gateway);
        var session = await http.GetFromJsonAsync<JsonElement>("/ui/api/session", Ct);
        Assert.Equal("loopback", session.GetProperty("signed_in_with").GetString());
        using var login = await http.PostAsJsonAsync("/ui/api/login", new { key = "anything-at-all-here" }, Ct);
        await ErrorAssert.IsOpenAIErrorAsync(login, HttpStatusCode.BadRequest, param: "key");
    }

    [Fact]
    public async Task ARequestsStoredMessagesAreShownDecryptedToTheMasterKeyOnly()
    {
        await using var gateway = await TestGateway.StartAsync(environment: KeyedGateway.Environment(
            ("SWITCHBOARD__database__store_messages", "true"),
            ("SWITCHBOARD__database__encryption_key", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)))));
        var (_, key) = await gateway.CreateKeyAsync(new { name = "talker" }, Ct);
        using var caller = gateway.Client(key);
        using var answer = await caller.PostAsync("/v1/chat/completions", KeyedGateway.Chat(text: "the secret plan"), Ct);
        var id = answer.Headers.GetValues("x-request-id").Single();
        await gateway.UsageRowsAsync(1, Ct);

        using var admin = gateway.Client(KeyedGateway.MasterKey);
        var stored = await admin.GetFromJsonAsync<JsonElement>($"/ui/api/requests/{id}/messages", Ct);
        Assert.True(stored.GetProperty("stored").GetBoolean());
        Assert.Equal("the secret plan", stored.GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.False(string.IsNullOrEmpty(stored.GetProperty("answer").GetString()));

        using var asCaller = await caller.GetAsync($"/ui/api/requests/{id}/messages", Ct);
        await ErrorAssert.IsOpenAIErrorAsync(asCaller, HttpStatusCode.Unauthorized);
        using var unknown = await admin.GetAsync("/ui/api/requests/req_nothing/messages", Ct);
        await ErrorAssert.IsOpenAIErrorAsync(unknown, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ARequestWhoseMessagesWereNotStoredSaysSo()
    {
        await using var gateway = await TestGateway.StartAsync(environment: KeyedGateway.Environment());
        using var admin = gateway.Client(KeyedGateway.MasterKey);
        using var answer = await admin.PostAsync("/v1/chat/completions", KeyedGateway.Chat(), Ct);
        var id = answer.Headers.GetValues("x-request-id").Single();
        await gateway.UsageRowsAsync(1, Ct);

        var report = await admin.GetFromJsonAsync<JsonElement>($"/ui/api/requests/{id}/messages", Ct);
        Assert.False(report.GetProperty("stored").GetBoolean());
        Assert.Contains("store_messages", report.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.False(report.TryGetProperty("messages", out _));
    }

    [Fact]
    public async Task StoredMessagesStayClosedOnAnOpenLoopbackGateway()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var response = await gateway.Http.GetAsync("/ui/api/requests/req_1/messages", Ct);
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ASessionUsedInItsSecondHalfIsRenewedAndOneLeftAloneExpires()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await TestGateway.StartAsync(environment: KeyedGateway.Environment(), timeProvider: clock);
        using var http = CookieFreeClient(gateway);
        var first = await SignInAsync(http, KeyedGateway.MasterKey);

        clock.Advance(TimeSpan.FromMinutes(10));
        using (var early = await SendAsync(http, HttpMethod.Get, "/ui/api/session", first.Value))
        {
            Assert.Equal(HttpStatusCode.OK, early.StatusCode);
            Assert.False(early.Headers.Contains("Set-Cookie"), "a session in its first half is not renewed");
        }

        clock.Advance(TimeSpan.FromMinutes(10));
        string renewed;
        using (var late = await SendAsync(http, HttpMethod.Get, "/ui/api/session", first.Value))
        {
            Assert.Equal(HttpStatusCode.OK, late.StatusCode);
            renewed = Assert.Single(late.Headers.GetValues("Set-Cookie")).Split(';')[0][(DashboardSessions.CookieName.Length + 1)..];
        }

        clock.Advance(TimeSpan.FromMinutes(15));
        using var expired = await SendAsync(http, HttpMethod.Get, "/ui/api/session", first.Value);
        await ErrorAssert.IsOpenAIErrorAsync(expired, HttpStatusCode.Unauthorized);
        using var alive = await SendAsync(http, HttpMethod.Get, "/ui/api/session", renewed);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public async Task RepeatedWrongKeysFromOneAddressGet429WithRetryAfterUntilTheWindowEnds()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await TestGateway.StartAsync(environment: KeyedGateway.Environment(), timeProvider: clock);
        using var http = CookieFreeClient(gateway);
        for (var i = 0; i < FailedKeyThrottle.SignInFailures; i++)
        {
            using var wrong = await http.PostAsJsonAsync("/ui/api/login", new { key = $"guess-number-{i}" }, Ct);
            await ErrorAssert.IsOpenAIErrorAsync(wrong, HttpStatusCode.Unauthorized, param: "key");
        }

        clock.Advance(TimeSpan.FromMinutes(1));
        // Refused before the key is looked at: even the right one waits.
        using (var refused = await http.PostAsJsonAsync("/ui/api/login", new { key = KeyedGateway.MasterKey }, Ct))
        {
            var error = await ErrorAssert.IsOpenAIErrorAsync(refused, HttpStatusCode.TooManyRequests, code: "rate_limit_exceeded");
            Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
            Assert.Equal(TimeSpan.FromMinutes(4), refused.Headers.RetryAfter?.Delta);
            Assert.False(refused.Headers.Contains("Set-Cookie"));
        }

        clock.Advance(TimeSpan.FromMinutes(4));
        await SignInAsync(http, KeyedGateway.MasterKey);
    }

    [Fact]
    public async Task ATrustedProxysForwardedHeadersGiveTheClientAddressAndASecureCookie()
    {
        await using var gateway = await TestGateway.StartAsync(environment: KeyedGateway.Environment(("SWITCHBOARD__server__trusted_proxies__0", "127.0.0.1")));
        using var http = CookieFreeClient(gateway);

        var cookie = await SignInAsync(http, KeyedGateway.MasterKey, ("X-Forwarded-Proto", "https"), ("X-Forwarded-For", "203.0.113.7"));
        Assert.Contains("secure", cookie.Attributes.Replace("samesite", string.Empty, StringComparison.OrdinalIgnoreCase), StringComparison.OrdinalIgnoreCase);

        // Failures count per client behind the proxy, not for the proxy's one address.
        for (var i = 0; i <= FailedKeyThrottle.SignInFailures; i++)
        {
            using var wrong = await LoginAsync(http, $"guess-number-{i}", ("X-Forwarded-For", "203.0.113.66"));
            Assert.Equal(i < FailedKeyThrottle.SignInFailures ? HttpStatusCode.Unauthorized : HttpStatusCode.TooManyRequests, wrong.StatusCode);
        }

        await SignInAsync(http, KeyedGateway.MasterKey, ("X-Forwarded-For", "203.0.113.7"));
    }

    [Fact]
    public async Task ForwardedHeadersAreIgnoredWithoutATrustedProxy()
    {
        await using var gateway = await TestGateway.StartAsync(environment: KeyedGateway.Environment());
        using var http = CookieFreeClient(gateway);

        var cookie = await SignInAsync(http, KeyedGateway.MasterKey, ("X-Forwarded-Proto", "https"));
        Assert.DoesNotContain("secure", cookie.Attributes.Replace("samesite", string.Empty, StringComparison.OrdinalIgnoreCase), StringComparison.OrdinalIgnoreCase);

        // Every wrong key counts for the one address the requests really come from, whatever they claim.
        for (var i = 0; i < FailedKeyThrottle.SignInFailures; i++)
        {
            using var wrong = await LoginAsync(http, $"guess-number-{i}", ("X-Forwarded-For", $"203.0.113.{i}"));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var refused = await LoginAsync(http, KeyedGateway.MasterKey, ("X-Forwarded-For", "203.0.113.200"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
    }

    [Fact]
    public async Task ACookieSignedInOnOneReplicaOpensTheDashboardOnAnother()
    {
        var folder = Directory.CreateTempSubdirectory("switchboard-sessions-");
        try
        {
            var configs = new List<string>();
            foreach (var name in (string[])["a", "b"])
            {
                var path = Path.Combine(folder.CreateSubdirectory(name).FullName, "switchboard.yaml");
                await File.WriteAllTextAsync(path, $$"""
                    providers: [{name: fake, type: mock}]
                    models: [{name: m, deployments: [{provider: fake, model: m}]}]
                    auth: {master_key: "{{KeyedGateway.MasterKey}}"}
                    """, Ct);
                configs.Add(path);
            }

            await using var first = await GatewayProcess.StartAsync(configs[0], Ct);
            await using var second = await GatewayProcess.StartAsync(configs[1], Ct);
            using var toFirst = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = new Uri(first.BaseUrl) };
            using var toSecond = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = new Uri(second.BaseUrl) };

            var cookie = await SignInAsync(toFirst, KeyedGateway.MasterKey);

            using var session = await SendAsync(toSecond, HttpMethod.Get, "/ui/api/session", cookie.Value);
            Assert.Equal(HttpStatusCode.OK, session.StatusCode);
            Assert.Equal("session", (await session.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("signed_in_with").GetString());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static HttpClient CookieFreeClient(TestGateway gateway) =>

        new(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = new Uri(gateway.BaseUrl) };

    private static async Task<HttpResponseMessage> LoginAsync(HttpClient http, string key, params (string Name, string Value)[] headers)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/ui/api/login") { Content = JsonContent.Create(new { key }) };
        foreach (var (name, value) in headers)
        {
            message.Headers.Add(name, value);
        }

        return await http.SendAsync(message, Ct);
    }

    private static async Task<(string Value, string Attributes)> SignInAsync(HttpClient http, string key, params (string Name, string Value)[] headers)
    {
        using var response = await LoginAsync(http, key, headers);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var header = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        var (pair, attributes) = (header.Split(';', 2)[0], header.Split(';', 2)[1]);
        Assert.StartsWith(DashboardSessions.CookieName + "=", pair, StringComparison.Ordinal);
        return (pair[(DashboardSessions.CookieName.Length + 1)..], attributes);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string cookie, bool csrf = false, object? body = null)
    {
        using var message = new HttpRequestMessage(method, path);
        message.Headers.Add("Cookie", $"{DashboardSessions.CookieName}={cookie}");
        if (csrf)
        {
            message.Headers.Add(DashboardSessions.CsrfHeader, "1");
        }

        if (body is not null)
        {
            message.Content = JsonContent.Create(body);
        }

        return await http.SendAsync(message, Ct);
    }
}
