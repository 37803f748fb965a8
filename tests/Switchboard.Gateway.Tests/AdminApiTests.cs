using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary><c>/admin/keys</c> and <c>/admin/usage</c> through real HTTP.</summary>
public sealed class AdminApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string PricedUpstream(string upstream) => $$"""
        providers:
          - {name: upstream, type: openai, base_url: "{{upstream}}/v1"}
        models:
          - name: gpt-4o
            deployments: [{provider: upstream, model: gpt-4o-2024, input_per_million: 2.5, output_per_million: 10}]
          - name: cheap
            deployments: [{provider: upstream, model: cheap-1, input_per_million: 0.1, output_per_million: 0.4}]
        """;

    [Fact]
    public async Task TheAdminApiOpensOnlyToTheMasterKey()
    {
        await using var gateway = await TestGateway.StartAsync(environment: KeyedGateway.Environment());
        var (_, key) = await gateway.CreateKeyAsync(new { name = "not-admin" }, Ct);
        await using var open = await TestGateway.StartAsync();

        foreach (var client in new[] { gateway.Client(null), gateway.Client(key), open.Client(null), open.Client("anything-at-all-here") })
        {
            using (client)
            {
                using var list = await client.GetAsync("/admin/keys", Ct);
                using var usage = await client.GetAsync("/admin/usage", Ct);
                await ErrorAssert.IsOpenAIErrorAsync(list, HttpStatusCode.Unauthorized);
                await ErrorAssert.IsOpenAIErrorAsync(usage, HttpStatusCode.Unauthorized);
            }
        }
    }

    [Fact]
    public async Task KeysAreCreatedListedAndRevokedOverHttp()
    {
        await using var gateway = await TestGateway.StartAsync(environment: KeyedGateway.Environment());
        using var admin = gateway.Client(KeyedGateway.MasterKey);

        using var created = await admin.PostAsJsonAsync("/admin/keys", new { name = "ci", user = "alice", team = "ml", models = new[] { "gpt-4o*" }, rpm = 60, tpm = 10000, budget = new[] { "10/day", "100/month" }, expires = "30d", metadata = new { env = "ci" } }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var view = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var key = view.GetProperty("key").GetString()!;
        var prefix = view.GetProperty("prefix").GetString()!;
        Assert.StartsWith(prefix, key, StringComparison.Ordinal);
        Assert.Equal(10m, view.GetProperty("budget_daily_usd").GetDecimal());
        Assert.Equal(100m, view.GetProperty("budget_monthly_usd").GetDecimal());
        Assert.Equal(60, view.GetProperty("rpm").GetInt32());

        var listed = await admin.GetStringAsync("/admin/keys", Ct);
        Assert.Contains(prefix, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(key, listed, StringComparison.Ordinal);
        Assert.DoesNotContain("\"key\":", listed, StringComparison.Ordinal);

        using var revoked = await admin.DeleteAsync($"/admin/keys/{prefix}", Ct);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.True((await revoked.Content.ReadFromJsonAsync<JsonElement>(Ct)).TryGetProperty("revoked_at", out _));
        Assert.DoesNotContain(prefix, await admin.GetStringAsync("/admin/keys", Ct), StringComparison.Ordinal);
        Assert.Contains(prefix, await admin.GetStringAsync("/admin/keys?include_revoked=true", Ct), StringComparison.Ordinal);
        using var gone = await admin.DeleteAsync("/admin/keys/key_nothing", Ct);
        await ErrorAssert.IsOpenAIErrorAsync(gone, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"user":"no-name"}""", "name")]
    [InlineData("""{"name":"k","budget":["ten/day"]}""", "budget")]
    [InlineData("""{"name":"k","expires":"yesterday-ish"}""", "expires")]
    [InlineData("""{"name":"k","rpm":0}""", "rpm")]
    [InlineData("""{"name":"k","rpm":"many"}""", null)]
    public async Task ABadKeyRequestGets400NamingTheField(string body, string? param)
    {
        await using var gateway = await TestGateway.StartAsync(environment: KeyedGateway.Environment());
        using var admin = gateway.Client(KeyedGateway.MasterKey);

        using var response = await admin.PostAsync("/admin/keys", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);

        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest, param: param);
    }

    [Fact]
    public async Task UsageShowsExactlyWhatWasSpentByKeyModelAndDay()
    {
        await using var upstream = await FakeUpstream.StartAsync((context, body) =>
            OpenAIUpstreamResponses.WriteJsonAsync(context.Response, OpenAIUpstreamResponses.Completion(body!.RootElement.GetProperty("model").GetString()!, "ok")));
        await using var gateway = await TestGateway.StartAsync(PricedUpstream(upstream.BaseUrl), KeyedGateway.Environment());
        var (alice, aliceKey) = await gateway.CreateKeyAsync(new { name = "alice", user = "alice" }, Ct);
        var (bob, bobKey) = await gateway.CreateKeyAsync(new { name = "bob", user = "bob" }, Ct);
        using var asAlice = gateway.Client(aliceKey);
        using var asBob = gateway.Client(bobKey);
        for (var i = 0; i < 7; i++)
        {
            using var response = await asAlice.PostAsync("/v1/chat/completions", KeyedGateway.Chat("gpt-4o"), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        for (var i = 0; i < 3; i++)
        {
            using var response = await asBob.PostAsync("/v1/chat/completions", KeyedGateway.Chat("cheap"), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await gateway.UsageRowsAsync(10, Ct);
        using var admin = gateway.Client(KeyedGateway.MasterKey);
        var byKey = await admin.GetFromJsonAsync<JsonElement>("/admin/usage?group_by=key,model,day", Ct);
        var rows = byKey.GetProperty("data").EnumerateArray().ToList();

        Assert.Equal(2, rows.Count);
        var aliceRow = rows.Single(r => r.GetProperty("key_id").GetString() == alice);
        Assert.Equal(7, aliceRow.GetProperty("requests").GetInt32());
        Assert.Equal(7 * 19, aliceRow.GetProperty("input_tokens").GetInt32());
        Assert.Equal(7 * 10, aliceRow.GetProperty("output_tokens").GetInt32());
        Assert.Equal(7 * ((19 * 2.5m) + (10 * 10m)) / 1_000_000m, aliceRow.GetProperty("cost_usd").GetDecimal());
        Assert.Equal("gpt-4o", aliceRow.GetProperty("model").GetString());
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), aliceRow.GetProperty("day").GetString());
        var bobRow = rows.Single(r => r.GetProperty("key_id").GetString() == bob);
        Assert.Equal(3 * ((19 * 0.1m) + (10 * 0.4m)) / 1_000_000m, bobRow.GetProperty("cost_usd").GetDecimal());

        var byUser = await admin.GetFromJsonAsync<JsonElement>("/admin/usage?group_by=user", Ct);
        Assert.Equal(["alice", "bob"], byUser.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("user").GetString()).Order());
        var future = await admin.GetFromJsonAsync<JsonElement>("/admin/usage?from=2099-01-01", Ct);
        Assert.Equal(0, future.GetProperty("data").EnumerateArray().Sum(r => r.GetProperty("requests").GetInt32()));
        using var badGrouping = await admin.GetAsync("/admin/usage?group_by=planet", Ct);
        await ErrorAssert.IsOpenAIErrorAsync(badGrouping, HttpStatusCode.BadRequest, param: "group_by");
        using var badDate = await admin.GetAsync("/admin/usage?from=last-tuesday", Ct);
        await ErrorAssert.IsOpenAIErrorAsync(badDate, HttpStatusCode.BadRequest, param: "from");
    }

    [Fact]
    public async Task TheUsageExportIsCsvWithALinePerRequest()
    {
        await using var gateway = await TestGateway.StartAsync(environment: KeyedGateway.Environment());
        var (id, key) = await gateway.CreateKeyAsync(new { name = "csv" }, Ct);
        using var client = gateway.Client(key);
        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = KeyedGateway.Chat() };
            request.Headers.Add("x-request-id", $"csv-{i}");
            using var response = await client.SendAsync(request, Ct);
        }

        await gateway.UsageRowsAsync(3, Ct);
        using var admin = gateway.Client(KeyedGateway.MasterKey);
        using var export = await admin.GetAsync("/admin/usage/export", Ct);
        var lines = (await export.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("text/csv; charset=utf-8", export.Content.Headers.ContentType?.ToString());
        Assert.Equal(4, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.Contains($",chat,{id},", l, StringComparison.Ordinal));
        Assert.Equal(["csv-0", "csv-1", "csv-2"], lines.Skip(1).Select(l => l.Split(',')[1]));
    }

    [Fact]
    public async Task TheKeyListShowsSpendPerBudgetPeriodAndWhatEachBudgetHasLeft()
    {
        await using var upstream = await FakeUpstream.StartAsync((context, body) =>
            OpenAIUpstreamResponses.WriteJsonAsync(context.Response, OpenAIUpstreamResponses.Completion(body!.RootElement.GetProperty("model").GetString()!, "ok")));
        await using var gateway = await TestGateway.StartAsync(PricedUpstream(upstream.BaseUrl), KeyedGateway.Environment());
        var (spender, spenderKey) = await gateway.CreateKeyAsync(new { name = "spender", budget = new[] { "1/day", "5/month" } }, Ct);
        var (idle, _) = await gateway.CreateKeyAsync(new { name = "idle", budget = new[] { "2" } }, Ct);
        using var client = gateway.Client(spenderKey);
        for (var i = 0; i < 4; i++)
        {
            using var response = await client.PostAsync("/v1/chat/completions", KeyedGateway.Chat("gpt-4o"), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await gateway.UsageRowsAsync(4, Ct);
        using var admin = gateway.Client(KeyedGateway.MasterKey);
        var keys = (await admin.GetFromJsonAsync<JsonElement>("/admin/keys", Ct)).GetProperty("data").EnumerateArray().ToList();

        var spent = 4 * ((19 * 2.5m) + (10 * 10m)) / 1_000_000m;
        var used = keys.Single(k => k.GetProperty("id").GetString() == spender);
        Assert.Equal(spent, used.GetProperty("spent_today_usd").GetDecimal());
        Assert.Equal(spent, used.GetProperty("spent_month_usd").GetDecimal());
        Assert.Equal(spent, used.GetProperty("spent_total_usd").GetDecimal());
        Assert.Equal(1m - spent, used.GetProperty("budget_left_daily_usd").GetDecimal());
        Assert.Equal(5m - spent, used.GetProperty("budget_left_monthly_usd").GetDecimal());
        Assert.False(used.TryGetProperty("budget_left_total_usd", out _), "a key without a total budget has nothing left to show");

        var unused = keys.Single(k => k.GetProperty("id").GetString() == idle);
        Assert.Equal(0m, unused.GetProperty("spent_total_usd").GetDecimal());
        Assert.Equal(2m, unused.GetProperty("budget_left_total_usd").GetDecimal());
    }
}
