using System.Text;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using Microsoft.Extensions.Time.Testing;
using OpenQA.Selenium.Support.UI;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>
/// The dashboard in a real headless Chromium (Debian's chromium and chromium-driver; test.sh installs them).
/// Screenshots go to artifacts/screenshots (not committed).
/// </summary>
public sealed class DashboardBrowserTests : IAsyncLifetime
{
    private const string MasterKey = "sk-master-browser";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private TestGateway? _gateway;
    private ChromeDriver? _browser;
    private string? _profile;
    private string? _downloads;

    private const string Models = "providers: [{name: mock, type: mock}]\nmodels: [{name: mock-echo, deployments: [{provider: mock, input_per_million: 2, output_per_million: 4}]}, {name: mock-large, deployments: [{provider: mock, input_per_million: 20, output_per_million: 40}]}]";

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    private async Task StartGatewayAsync(string yaml, TimeProvider? time = null, params (string Name, string? Value)[] environment)
    {
        var variables = new Dictionary<string, string?> { ["SWITCHBOARD_MASTER_KEY"] = MasterKey };
        foreach (var (name, value) in environment)
        {
            variables[name] = value;
        }

        _gateway = await TestGateway.StartAsync(yaml, variables, timeProvider: time);
    }

    public async ValueTask DisposeAsync()
    {
        _browser?.Quit();
        _browser?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_profile is not null)
        {
            Directory.Delete(_profile, recursive: true);
        }
    }

    [Fact]
    public async Task OperatorLogsInSeesTheOverviewAndWatchesARequestArriveLive()
    {
        await StartGatewayAsync(Models + "\ncache: {exact: true}");
        var browser = StartBrowser();
        var wait = new WebDriverWait(browser, Patience);
        for (var i = 0; i < 3; i++)
        {
            await ChatAsync("mock-echo", "hello " + i);
        }

        await ChatAsync("no-such-model", "hi");

        browser.Navigate().GoToUrl(Gateway.BaseUrl + "/ui/");
        wait.Until(d => d.FindElement(By.Id("login")).Displayed);
        browser.FindElement(By.Id("master-key")).SendKeys(MasterKey);
        browser.FindElement(By.CssSelector("#login-form button")).Click();
        wait.Until(d => d.FindElement(By.Id("nav")).Displayed);

        // Signed in with a cookie scripts cannot read; the key is kept nowhere in the page's storage.
        var session = browser.Manage().Cookies.GetCookieNamed(Auth.DashboardSessions.CookieName);
        Assert.NotNull(session);
        Assert.True(session.IsHttpOnly);
        Assert.Equal("Strict", session.SameSite);
        var storage = (string?)browser.ExecuteScript("return document.cookie + '|' + JSON.stringify(sessionStorage) + JSON.stringify(localStorage);");
        Assert.NotNull(storage);
        Assert.DoesNotContain(MasterKey, storage, StringComparison.Ordinal);
        Assert.DoesNotContain(Auth.DashboardSessions.CookieName, storage, StringComparison.Ordinal);

        // The overview: totals from the requests above, and the charts drawn.
        var requests = wait.Until(d => d.FindElements(By.CssSelector("[data-total=requests] .value")) is [var e] && e.Text is "4" ? e : null);
        Assert.Equal("4", requests.Text);
        Assert.Equal("1", browser.FindElement(By.CssSelector("[data-total=errors] .value")).Text);
        wait.Until(d => d.FindElements(By.CssSelector("svg.chart")).Count == 6);
        Assert.NotEmpty(browser.FindElements(By.CssSelector("svg.chart[data-metric=latency] polyline[data-series=p99]")));
        Screenshot(browser, "overview");

        // The live log: a request made now appears, and opens with its attempt.
        browser.Navigate().GoToUrl(Gateway.BaseUrl + "/ui/#live");
        wait.Until(d => d.FindElement(By.Id("live-state")).Text == "live");
        var id = await ChatAsync("mock-echo", "watch me");
        var row = wait.Until(d => d.FindElements(By.CssSelector($"tr[data-request='{id}']")) is [var r] ? r : null);
        Screenshot(browser, "live");
        row.Click();
        wait.Until(d => d.FindElements(By.CssSelector("#attempts td")).Count > 0);
        Assert.Contains("mock/mock-echo", browser.FindElement(By.Id("attempts")).Text, StringComparison.Ordinal);
        Screenshot(browser, "request");

        // A page whose admin API this gateway lacks says so instead of showing made-up data; one it has shows it.
        browser.Navigate().GoToUrl(Gateway.BaseUrl + "/ui/#usage");
        wait.Until(d => d.FindElements(By.CssSelector("[data-state=not-enabled], #usage-table table")).Count == 1);
        // Keys: create one (shown once), call with it, revoke it, and the next call with it fails.
        browser.Navigate().GoToUrl(Gateway.BaseUrl + "/ui/#keys");
        var name = wait.Until(d => d.FindElements(By.CssSelector("#key-form [name=name]")) is [var e] ? e : null);
        name.SendKeys("browser-key");
        browser.FindElement(By.CssSelector("#key-form [name=budget]")).SendKeys("10/day");
        browser.FindElement(By.CssSelector("#key-form button")).Click();
        var key = wait.Until(d => d.FindElements(By.Id("new-key")) is [var e] && e.Text.Length > 0 ? e.Text : null);
        Assert.Equal(200, await ChatStatusAsync(key));
        await Gateway.UsageRowsAsync(6, TestContext.Current.CancellationToken);
        browser.Navigate().Refresh();
        // The call above cost something: the key's row shows it spent today and what its daily budget has left.
        var left = wait.Until(d => d.FindElements(By.CssSelector("tr[data-key] [data-budget=daily]")) is [var e] ? e.Text : null);
        Assert.EndsWith(" left of $10 today", left, StringComparison.Ordinal);
        Assert.Matches(@"^\$0\.0\d*[1-9]\d* / \$0\.0\d*[1-9]\d* / \$0\.0\d*[1-9]\d*$", browser.FindElement(By.CssSelector("tr[data-key] [data-spent]")).Text);
        Screenshot(browser, "keys");
        wait.Until(d => d.FindElements(By.CssSelector("[data-revoke]")) is [var revoke] ? revoke : null).Click();
        wait.Until(d => d.FindElements(By.CssSelector("[data-revoke]")).Count == 0);
        Assert.Equal(401, await ChatStatusAsync(key));

        // Cache: a repeated request is a hit; the page shows the counts, and purging empties it.
        await ChatAsync("mock-echo", "cache me");
        await ChatAsync("mock-echo", "cache me");
        browser.Navigate().GoToUrl(Gateway.BaseUrl + "/ui/#cache");
        wait.Until(d => d.FindElements(By.CssSelector("[data-stat='requests.hit']")) is [var e] && e.Text.Contains('1', StringComparison.Ordinal));
        Screenshot(browser, "cache");
        browser.FindElement(By.Id("purge")).Click();
        wait.Until(d => d.FindElement(By.Id("purged")).Text.StartsWith("Purged", StringComparison.Ordinal));
        wait.Until(d => d.FindElements(By.CssSelector("[data-stat='exact.entries'] .value")) is [var e] && e.Text == "0");

        browser.Navigate().GoToUrl(Gateway.BaseUrl + "/ui/#models");
        wait.Until(d => d.FindElements(By.CssSelector("tr[data-deployment='mock/mock-echo']")).Count == 1);
        Screenshot(browser, "models");

        // Logging out ends the session: the page asks for the key again, and a reload does too.
        browser.FindElement(By.Id("logout")).Click();
        wait.Until(d => d.FindElement(By.Id("login")).Displayed);
        browser.Navigate().Refresh();
        wait.Until(d => d.FindElement(By.Id("login")).Displayed);
        Assert.False(browser.FindElement(By.Id("nav")).Displayed);
    }

    [Fact]
    public async Task OperatorFindsWhoSpentWhatYesterdayAndDownloadsItAsCsv()
    {
        // The gateway's clock runs a day behind: the requests below are yesterday's to the browser's clock.
        var yesterday = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-1));
        await StartGatewayAsync(Models, yesterday);
        var alice = await CreateKeyAsync("alice-laptop", "alice");
        var bob = await CreateKeyAsync("bob-ci", "bob");
        for (var i = 0; i < 3; i++)
        {
            await ChatAsync("mock-large", "a long question number " + i, alice);
        }

        await ChatAsync("mock-echo", "short", bob);
        await Gateway.UsageRowsAsync(4, TestContext.Current.CancellationToken);

        var browser = StartBrowser();
        var wait = new WebDriverWait(browser, Patience);
        SignIn(browser, wait);
        browser.Navigate().GoToUrl(Gateway.BaseUrl + "/ui/#usage");

        // Today (the default range) had nothing; yesterday shows both keys by name, the bigger spender first.
        wait.Until(d => d.FindElements(By.CssSelector("#usage-table [data-state=empty]")).Count == 1);
        browser.FindElement(By.CssSelector("#usage-presets [data-days='1']")).Click();
        var rows = wait.Until(d => d.FindElements(By.CssSelector("#usage-rows tr[data-row]")) is { Count: 2 } r ? r : null);
        Assert.StartsWith("alice-laptop (", rows[0].FindElement(By.CssSelector("[data-column=key_id]")).Text, StringComparison.Ordinal);
        Assert.Equal("3", rows[0].FindElement(By.CssSelector("[data-column=requests]")).Text);
        Assert.StartsWith("bob-ci (", rows[1].FindElement(By.CssSelector("[data-column=key_id]")).Text, StringComparison.Ordinal);
        Assert.Equal("4", browser.FindElement(By.CssSelector("#usage-rows tr[data-total-row] [data-column=requests]")).Text);
        Screenshot(browser, "usage-yesterday");

        // By user and model: the same spend, split the other ways.
        browser.FindElement(By.CssSelector("#usage-form [name=group_by] option[value='user,model']")).Click();
        browser.FindElement(By.CssSelector("#usage-form button")).Click();
        wait.Until(d => d.FindElements(By.CssSelector("#usage-rows [data-column=user]")).Select(e => e.Text).Order().SequenceEqual(["alice", "bob"]));
        Assert.Equal(
            ["mock-echo", "mock-large"],
            browser.FindElements(By.CssSelector("#usage-rows [data-column=model]")).Select(e => e.Text).Order());

        // The CSV has a line per request of the range shown.
        browser.FindElement(By.Id("usage-csv")).Click();
        var csv = wait.Until(_ => Directory.GetFiles(_downloads!, "usage-*.csv") is [var file] ? File.ReadAllLines(file) : null);
        Assert.StartsWith("time,request_id,", csv[0], StringComparison.Ordinal);
        Assert.Equal(4, csv.Length - 1);
        Assert.Equal(3, csv.Count(l => l.Contains(",mock-large,", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task OperatorOpensASlowRequestAndReadsItsAttemptsAndDecryptedMessages()
    {
        await StartGatewayAsync(
            Models,
            time: null,
            ("SWITCHBOARD__database__store_messages", "true"),
            ("SWITCHBOARD__database__encryption_key", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))));
        var key = await CreateKeyAsync("support-bot", "carol");
        var id = await ChatAsync("mock-echo", "please summarise the quarterly numbers", key);
        await Gateway.UsageRowsAsync(1, TestContext.Current.CancellationToken);

        var browser = StartBrowser();
        var wait = new WebDriverWait(browser, Patience);
        SignIn(browser, wait);
        browser.Navigate().GoToUrl(Gateway.BaseUrl + "/ui/#live");
        wait.Until(d => d.FindElement(By.Id("live-state")).Text == "live");
        wait.Until(d => d.FindElements(By.CssSelector($"tr[data-request='{id}']")) is [var row] ? row : null).Click();

        wait.Until(d => d.FindElements(By.CssSelector("#attempts td")).Count > 0);
        Assert.Contains("mock/mock-echo", browser.FindElement(By.Id("attempts")).Text, StringComparison.Ordinal);
        var user = wait.Until(d => d.FindElements(By.CssSelector("#message-list tr[data-role=user] pre")) is [var e] ? e : null);
        Assert.Equal("please summarise the quarterly numbers", user.Text);
        Assert.False(string.IsNullOrWhiteSpace(browser.FindElement(By.Id("answer")).Text));
        Screenshot(browser, "request-messages");

        // A request id the gateway no longer knows says so instead of showing an empty page.
        browser.Navigate().GoToUrl(Gateway.BaseUrl + "/ui/#request/req_does_not_exist");
        var error = wait.Until(d => d.FindElements(By.CssSelector("#page p.error")) is [var e] ? e : null);
        Assert.Contains("No recent request 'req_does_not_exist'", error.Text, StringComparison.Ordinal);
    }

    private void SignIn(ChromeDriver browser, WebDriverWait wait)
    {
        browser.Navigate().GoToUrl(Gateway.BaseUrl + "/ui/");
        wait.Until(d => d.FindElement(By.Id("login")).Displayed);
        browser.FindElement(By.Id("master-key")).SendKeys(MasterKey);
        browser.FindElement(By.CssSelector("#login-form button")).Click();
        wait.Until(d => d.FindElement(By.Id("nav")).Displayed);
    }

    private async Task<string> CreateKeyAsync(string name, string user)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/admin/keys")
        {
            Content = new StringContent($$"""{"name":"{{name}}","user":"{{user}}"}""", Encoding.UTF8, "application/json"),
        };
        message.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", MasterKey);
        using var response = await Gateway.Http.SendAsync(message, TestContext.Current.CancellationToken);
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return body.RootElement.GetProperty("key").GetString()!;
    }

    private TestGateway Gateway => _gateway ?? throw new InvalidOperationException("Start the gateway first.");

    private ChromeDriver StartBrowser()
    {
        var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);
        var driver = new[] { "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver" }.FirstOrDefault(File.Exists);
        if (chromium is null || driver is null)
        {
            Assert.Skip("Chromium and chromedriver are not installed (Debian packages chromium and chromium-driver; test.sh installs them).");
        }

        _profile = Directory.CreateTempSubdirectory("switchboard-chromium-").FullName;
        _downloads = Directory.CreateDirectory(Path.Combine(_profile, "downloads")).FullName;
        var options = new ChromeOptions { BinaryLocation = chromium };
        options.AddUserProfilePreference("download.default_directory", _downloads);
        options.AddUserProfilePreference("download.prompt_for_download", false);
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + _profile);
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(driver)!, Path.GetFileName(driver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        _browser = new ChromeDriver(service, options, Patience);
        return _browser;
    }

    private static void Screenshot(ChromeDriver browser, string name)
    {
        var directory = Path.Combine(RepositoryPaths.Root, "artifacts", "screenshots");
        Directory.CreateDirectory(directory);
        browser.GetScreenshot().SaveAsFile(Path.Combine(directory, $"dashboard-{name}.png"));
    }

    private async Task<int> ChatStatusAsync(string key)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"mock-echo","messages":[{"role":"user","content":"with a virtual key"}]}""", Encoding.UTF8, "application/json"),
        };
        message.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        using var response = await Gateway.Http.SendAsync(message, TestContext.Current.CancellationToken);
        return (int)response.StatusCode;
    }

    private async Task<string> ChatAsync(string model, string text, string key = MasterKey)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","messages":[{"role":"user","content":"{{text}}"}]}""", Encoding.UTF8, "application/json"),
        };
        // With a master key set the gateway asks every caller for a key (issue 9's auth stage).
        message.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        using var response = await Gateway.Http.SendAsync(message, TestContext.Current.CancellationToken);
        return response.Headers.GetValues("x-request-id").Single();
    }
}
