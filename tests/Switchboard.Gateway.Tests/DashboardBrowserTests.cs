using System.Text;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
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
    private TestGateway _gateway = null!;
    private ChromeDriver? _browser;
    private string? _profile;

    public async ValueTask InitializeAsync()
    {
        _gateway = await TestGateway.StartAsync(
            "providers: [{name: mock, type: mock}]\nmodels: [{name: mock-echo, deployments: [{provider: mock, input_per_million: 2, output_per_million: 4}]}]\ncache: {exact: true}",
            environment: new Dictionary<string, string?> { ["SWITCHBOARD_MASTER_KEY"] = MasterKey });
    }

    public async ValueTask DisposeAsync()
    {
        _browser?.Quit();
        _browser?.Dispose();
        await _gateway.DisposeAsync();
        if (_profile is not null)
        {
            Directory.Delete(_profile, recursive: true);
        }
    }

    [Fact]
    public async Task OperatorLogsInSeesTheOverviewAndWatchesARequestArriveLive()
    {
        var browser = StartBrowser();
        var wait = new WebDriverWait(browser, Patience);
        for (var i = 0; i < 3; i++)
        {
            await ChatAsync("mock-echo", "hello " + i);
        }

        await ChatAsync("no-such-model", "hi");

        browser.Navigate().GoToUrl(_gateway.BaseUrl + "/ui/");
        wait.Until(d => d.FindElement(By.Id("login")).Displayed);
        browser.FindElement(By.Id("master-key")).SendKeys(MasterKey);
        browser.FindElement(By.CssSelector("#login-form button")).Click();

        // The overview: totals from the requests above, and the charts drawn.
        var requests = wait.Until(d => d.FindElements(By.CssSelector("[data-total=requests] .value")) is [var e] && e.Text is "4" ? e : null);
        Assert.Equal("4", requests.Text);
        Assert.Equal("1", browser.FindElement(By.CssSelector("[data-total=errors] .value")).Text);
        wait.Until(d => d.FindElements(By.CssSelector("svg.chart")).Count == 6);
        Assert.NotEmpty(browser.FindElements(By.CssSelector("svg.chart[data-metric=latency] polyline[data-series=p99]")));
        Screenshot(browser, "overview");

        // The live log: a request made now appears, and opens with its attempt.
        browser.Navigate().GoToUrl(_gateway.BaseUrl + "/ui/#live");
        wait.Until(d => d.FindElement(By.Id("live-state")).Text == "live");
        var id = await ChatAsync("mock-echo", "watch me");
        var row = wait.Until(d => d.FindElements(By.CssSelector($"tr[data-request='{id}']")) is [var r] ? r : null);
        Screenshot(browser, "live");
        row.Click();
        wait.Until(d => d.FindElements(By.CssSelector("#attempts td")).Count > 0);
        Assert.Contains("mock/mock-echo", browser.FindElement(By.Id("attempts")).Text, StringComparison.Ordinal);
        Screenshot(browser, "request");

        // A page whose admin API this gateway lacks says so instead of showing made-up data; one it has shows it.
        browser.Navigate().GoToUrl(_gateway.BaseUrl + "/ui/#usage");
        wait.Until(d => d.FindElements(By.CssSelector("[data-state=not-enabled], #usage-table table")).Count == 1);
        // Keys: create one (shown once), call with it, revoke it, and the next call with it fails.
        browser.Navigate().GoToUrl(_gateway.BaseUrl + "/ui/#keys");
        var name = wait.Until(d => d.FindElements(By.CssSelector("#key-form [name=name]")) is [var e] ? e : null);
        name.SendKeys("browser-key");
        browser.FindElement(By.CssSelector("#key-form button")).Click();
        var key = wait.Until(d => d.FindElements(By.Id("new-key")) is [var e] && e.Text.Length > 0 ? e.Text : null);
        Assert.Equal(200, await ChatStatusAsync(key));
        Screenshot(browser, "keys");
        wait.Until(d => d.FindElements(By.CssSelector("[data-revoke]")) is [var revoke] ? revoke : null).Click();
        wait.Until(d => d.FindElements(By.CssSelector("[data-revoke]")).Count == 0);
        Assert.Equal(401, await ChatStatusAsync(key));

        // Cache: a repeated request is a hit; the page shows the counts, and purging empties it.
        await ChatAsync("mock-echo", "cache me");
        await ChatAsync("mock-echo", "cache me");
        browser.Navigate().GoToUrl(_gateway.BaseUrl + "/ui/#cache");
        wait.Until(d => d.FindElements(By.CssSelector("[data-stat='requests.hit']")) is [var e] && e.Text.Contains('1', StringComparison.Ordinal));
        Screenshot(browser, "cache");
        browser.FindElement(By.Id("purge")).Click();
        wait.Until(d => d.FindElement(By.Id("purged")).Text.StartsWith("Purged", StringComparison.Ordinal));
        wait.Until(d => d.FindElements(By.CssSelector("[data-stat='exact.entries'] .value")) is [var e] && e.Text == "0");

        browser.Navigate().GoToUrl(_gateway.BaseUrl + "/ui/#models");
        wait.Until(d => d.FindElements(By.CssSelector("tr[data-deployment='mock/mock-echo']")).Count == 1);
        Screenshot(browser, "models");
    }

    private ChromeDriver StartBrowser()
    {
        var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);
        var driver = new[] { "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver" }.FirstOrDefault(File.Exists);
        if (chromium is null || driver is null)
        {
            Assert.Skip("Chromium and chromedriver are not installed (Debian packages chromium and chromium-driver; test.sh installs them).");
        }

        _profile = Directory.CreateTempSubdirectory("switchboard-chromium-").FullName;
        var options = new ChromeOptions { BinaryLocation = chromium };
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
        using var response = await _gateway.Http.SendAsync(message, TestContext.Current.CancellationToken);
        return (int)response.StatusCode;
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
}
