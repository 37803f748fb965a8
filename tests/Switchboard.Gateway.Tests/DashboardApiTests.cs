using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>The dashboard's API (/ui/api) against the real gateway with the mock provider, behind a master key.</summary>
public sealed class DashboardApiTests : IAsyncLifetime
{
    private const string MasterKey = "sk-master-dashboard";
    private TestGateway _gateway = null!;

    public async ValueTask InitializeAsync() => _gateway = await TestGateway.StartAsync(
        "providers: [{name: mock, type: mock}]\nmodels: [{name: mock-echo, deployments: [{provider: mock, input_per_million: 1, output_per_million: 1}]}]",
        environment: new Dictionary<string, string?> { ["SWITCHBOARD_MASTER_KEY"] = MasterKey });

    public ValueTask DisposeAsync() => _gateway.DisposeAsync();

    [Theory]
    [InlineData("/ui/api/session")]
    [InlineData("/ui/api/overview")]
    [InlineData("/ui/api/overview.csv")]
    [InlineData("/ui/api/charts/requests.svg")]
    [InlineData("/ui/api/models")]
    [InlineData("/ui/api/requests")]
    [InlineData("/ui/api/requests/live")]
    [InlineData("/ui/api/requests/req_1")]
    public async Task EveryApiEndpointAnswers401WithoutTheMasterKey(string path)
    {
        using var response = await _gateway.Http.GetAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("invalid_api_key", body.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task PagesAreServedFromTheAssemblyWithoutTheKey()
    {
        var html = await _gateway.Http.GetStringAsync("/ui/", TestContext.Current.CancellationToken);
        Assert.Contains("/ui/app.js", html, StringComparison.Ordinal);
        var script = await _gateway.Http.GetStringAsync("/ui/app.js", TestContext.Current.CancellationToken);
        Assert.Contains("/ui/api/session", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionSaysAKeyIsNeededAndWhichAdminApisExist()
    {
        using var session = await GetJsonAsync("/ui/api/session");
        Assert.True(session.RootElement.GetProperty("requires_key").GetBoolean());
        Assert.Equal(JsonValueKind.False, session.RootElement.GetProperty("features").GetProperty("conversations").ValueKind);
        Assert.Equal(JsonValueKind.False, session.RootElement.GetProperty("features").GetProperty("telemetry").ValueKind);
    }

    [Fact]
    public async Task OverviewCountsTheRequestsMadeAndExportsThemAsCsv()
    {
        await ChatAsync("mock-echo", "hello there");
        await ChatAsync("no-such-model", "hi");
        // Records are kept when the request completes, just after its answer: wait for them on the live log's list.
        await WaitForRequestsAsync(2);

        using var overview = await GetJsonAsync("/ui/api/overview");
        var totals = overview.RootElement.GetProperty("totals");
        Assert.Equal(2, totals.GetProperty("requests").GetInt32());
        Assert.Equal(1, totals.GetProperty("errors").GetInt32());
        Assert.True(totals.GetProperty("input_tokens").GetInt64() > 0);
        Assert.True(totals.GetProperty("p99_ms").GetDouble() > 0);
        Assert.Equal(60, overview.RootElement.GetProperty("series").GetArrayLength() is var n && n >= 60 ? 60 : n);

        var csv = await GetStringAsync("/ui/api/overview.csv");
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("time,requests,errors,p50_ms,p99_ms,input_tokens,output_tokens,cost_usd,cache_hits,cost_saved_usd", lines[0]);
        Assert.Equal(2, lines.Skip(1).Sum(l => int.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)));

        var svg = await GetStringAsync("/ui/api/charts/latency.svg");
        Assert.StartsWith("<svg", svg, StringComparison.Ordinal);
        Assert.Contains("data-series=\"p99\"", svg, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OverviewTakesADateRangeAndRefusesABadOne()
    {
        await ChatAsync("mock-echo", "hello");
        await WaitForRequestsAsync(1);
        using var past = await GetJsonAsync("/ui/api/overview?from=2020-01-01&to=2020-01-02");
        Assert.Equal(0, past.RootElement.GetProperty("totals").GetProperty("requests").GetInt32());
        Assert.Equal(24, past.RootElement.GetProperty("step_minutes").GetInt32());

        using var bad = await SendAsync("/ui/api/overview?from=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("\"param\":\"from\"", await bad.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        using var reversed = await SendAsync("/ui/api/overview?from=2026-01-02&to=2026-01-01");
        Assert.Equal(HttpStatusCode.BadRequest, reversed.StatusCode);
        using var chart = await SendAsync("/ui/api/charts/nothing.svg");
        Assert.Equal(HttpStatusCode.NotFound, chart.StatusCode);
    }

    [Fact]
    public async Task RequestsAreListedFilteredAndOpenedWithTheirAttempts()
    {
        var id = await ChatAsync("mock-echo", "hello");
        await ChatAsync("no-such-model", "hi");
        await WaitForRequestsAsync(2);

        using var errors = await GetJsonAsync("/ui/api/requests?errors=true");
        var failed = Assert.Single(errors.RootElement.EnumerateArray());
        Assert.Equal("model_not_found", failed.GetProperty("error_code").GetString());

        using var detail = await GetJsonAsync("/ui/api/requests/" + id);
        Assert.Equal("mock/mock-echo", detail.RootElement.GetProperty("deployment").GetString());
        var attempt = Assert.Single(detail.RootElement.GetProperty("attempts").EnumerateArray());
        Assert.Equal(200, attempt.GetProperty("status").GetInt32());

        using var badStatus = await SendAsync("/ui/api/requests?status=abc");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
        using var unknown = await SendAsync("/ui/api/requests/req_unknown");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task LiveLogStreamsARequestAsItFinishes()
    {
        using var message = Authorized(HttpMethod.Get, "/ui/api/requests/live?model=mock");
        using var response = await _gateway.Http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
        Assert.Equal(": live", await reader.ReadLineAsync(TestContext.Current.CancellationToken));

        var id = await ChatAsync("mock-echo", "live please");
        string? line;
        while ((line = await reader.ReadLineAsync(TestContext.Current.CancellationToken)) is not null && !line.StartsWith("data: ", StringComparison.Ordinal))
        {
        }

        using var record = JsonDocument.Parse(line![6..]);
        Assert.Equal(id, record.RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task ModelsReportDeploymentsWithTheirCircuits()
    {
        using var models = await GetJsonAsync("/ui/api/models");
        var model = Assert.Single(models.RootElement.EnumerateArray());
        var deployment = Assert.Single(model.GetProperty("deployments").EnumerateArray());
        Assert.Equal("mock/mock-echo", deployment.GetProperty("id").GetString());
        Assert.Equal("closed", deployment.GetProperty("circuit").GetString());
    }

    private async Task<string> ChatAsync(string model, string text)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","messages":[{"role":"user","content":"{{text}}"}]}""", Encoding.UTF8, "application/json"),
        };
        // With a master key set the gateway asks every caller for a key (issue 9's auth stage).
        message.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", MasterKey);
        using var response = await _gateway.Http.SendAsync(message, TestContext.Current.CancellationToken);
        return response.Headers.GetValues("x-request-id").Single();
    }

    private async Task WaitForRequestsAsync(int count)
    {
        using var live = _gateway.Services.GetRequiredService<Dashboard.RequestLog>().Subscribe();
        while (_gateway.Services.GetRequiredService<Dashboard.RequestLog>().Recent(new Dashboard.RequestFilter(), 1000).Count < count)
        {
            await live.Reader.ReadAsync(TestContext.Current.CancellationToken);
        }
    }

    private HttpRequestMessage Authorized(HttpMethod method, string path)
    {
        var message = new HttpRequestMessage(method, path);
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", MasterKey);
        return message;
    }

    private async Task<HttpResponseMessage> SendAsync(string path)
    {
        using var message = Authorized(HttpMethod.Get, path);
        return await _gateway.Http.SendAsync(message, TestContext.Current.CancellationToken);
    }

    private async Task<string> GetStringAsync(string path)
    {
        using var response = await SendAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    private async Task<JsonDocument> GetJsonAsync(string path) => JsonDocument.Parse(await GetStringAsync(path));
}
