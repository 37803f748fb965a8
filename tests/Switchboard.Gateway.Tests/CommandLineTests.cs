using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>The `switchboard` executable itself: bad flags and bad files end with one line and exit code 2.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("switchboard-cli-");

    public void Dispose() => _directory.Delete(recursive: true);

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] arguments) => RunInAsync(null, arguments);

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunInAsync(string? workingDirectory, params string[] arguments)
    {
        var start = SwitchboardProcess.StartInfo(arguments);
        start.WorkingDirectory = workingDirectory ?? start.WorkingDirectory;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        guard.CancelAfter(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(guard.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Theory]
    [InlineData("serve", "--port", "not-a-port")]
    [InlineData("serve", "--config", "/definitely/not/here.yaml")]
    [InlineData("serve", "--unknown-flag")]
    [InlineData("serve", "--host", "locahost", "--port", "0")]
    [InlineData("mock", "--port", "99999")]
    [InlineData("mock", "--host", "locahost", "--port", "0")]
    [InlineData("mock", "--fixtures", "/definitely/not/here")]
    [InlineData("mock", "--record-to", "/tmp/x")]
    [InlineData("mock", "--host", "0.0.0.0", "--port", "0")]
    [InlineData("no-such-command")]
    public async Task BadFlagsExitWithCode2AndOneLine(params string[] arguments)
    {
        var (exitCode, _, stderr) = await RunAsync(arguments);

        Assert.Equal(2, exitCode);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("switchboard", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("srve", "serve")]
    [InlineData("mokc", "mock")]
    public async Task AnUnknownCommandIsNamedWithTheClosestSuggested(string typed, string suggested)
    {
        var (exitCode, _, stderr) = await RunAsync(typed, "--port", "0");

        Assert.Equal(2, exitCode);
        Assert.Equal($"switchboard: '{typed}' is not a command. Did you mean '{suggested}'? (see 'switchboard --help')", stderr.Trim());
    }

    [Fact]
    public async Task MockHelpSaysTheConfiguredUpstreamKeyWinsAndOnlyMissesAreRecorded()
    {
        var (exitCode, stdout, _) = await RunAsync("mock", "--help");

        Assert.Equal(0, exitCode);
        var help = string.Join(' ', stdout.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("sent instead of the client's Authorization", help, StringComparison.Ordinal);
        Assert.Contains("requests a fixture answers are not recorded", help, StringComparison.Ordinal);
        Assert.Contains("--inline-io", help, StringComparison.Ordinal);
        Assert.Contains("--inline-io false turns it off", help, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BrokenFixtureFileExitsWithCode2NamingTheFile()
    {
        var path = Path.Combine(_directory.FullName, "broken.yaml");
        await File.WriteAllTextAsync(path, "fixtures:\n  - match: {last_user: [unclosed\n", TestContext.Current.CancellationToken);

        var (exitCode, _, stderr) = await RunAsync("mock", "--fixtures", path, "--port", "0");

        Assert.Equal(2, exitCode);
        Assert.Contains("broken.yaml", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("serve", "--port N (or server.port in the configuration file)")]
    [InlineData("mock", "--port N")]
    public async Task APortInUseIsToldInOneLineWithHowToChooseAnother(string command, string portOption)
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (exitCode, stdout, stderr) = await RunInAsync(_directory.FullName, command, "--port", port.ToString(CultureInfo.InvariantCulture));

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("switchboard", line, StringComparison.Ordinal);
        Assert.Contains($"cannot listen on http://127.0.0.1:{port}: the address is already in use", line, StringComparison.Ordinal);
        Assert.Contains($"choose another port with {portOption}", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAddressNotOfThisMachineIsToldInOneLine()
    {
        // 192.0.2.0/24 is reserved for documentation: no interface has it.
        var (exitCode, stdout, stderr) = await RunInAsync(_directory.FullName, "mock", "--host", "192.0.2.1", "--port", "0", "--admin-token", "t");

        Assert.Equal(1, exitCode);
        Assert.Equal("switchboard mock: cannot listen on 192.0.2.1:0: no network interface of this machine has that address; choose another with --host.", stderr.Trim());
        Assert.DoesNotContain("Exception", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAddressFromTheConfigurationFileThatIsNotOfThisMachineIsNamedInOneLine()
    {
        var path = Path.Combine(_directory.FullName, "far.yaml");
        await File.WriteAllTextAsync(path, """
            providers: [{name: fake, type: mock}]
            models: [{name: m, deployments: [{provider: fake, model: m}]}]
            server: {host: 192.0.2.1, port: 4321}
            auth: {allow_anonymous: true}
            """, TestContext.Current.CancellationToken);

        var (exitCode, stdout, stderr) = await RunInAsync(_directory.FullName, "serve", "--config", path);

        Assert.Equal(1, exitCode);
        Assert.Equal("switchboard: cannot listen on 192.0.2.1:4321: no network interface of this machine has that address; choose another with --host (or server.host).", stderr.Trim());
        Assert.DoesNotContain("Exception", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADatabaseThatCannotBeOpenedIsToldInOneLine()
    {
        // A regular file where the database's folder should be: SQLite cannot create the database under it.
        var blocker = Path.Combine(_directory.FullName, "not-a-folder");
        await File.WriteAllTextAsync(blocker, "x", TestContext.Current.CancellationToken);
        var path = Path.Combine(_directory.FullName, "db.yaml");
        await File.WriteAllTextAsync(path, $$"""
            providers: [{name: fake, type: mock}]
            models: [{name: m, deployments: [{provider: fake, model: m}]}]
            database: {provider: sqlite, connection: "Data Source={{blocker}}/switchboard.db"}
            """, TestContext.Current.CancellationToken);

        var (exitCode, stdout, stderr) = await RunInAsync(_directory.FullName, "serve", "--config", path, "--port", "0");

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("switchboard: database: cannot open SQLite", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadConfigurationFileExitsWithCode2AndOneLinePerProblem()
    {
        var path = Path.Combine(_directory.FullName, "cli.yaml");
        await File.WriteAllTextAsync(path, "providers:\n  - name: a\n    type: nonsense\n", TestContext.Current.CancellationToken);

        var (exitCode, _, stderr) = await RunAsync("serve", "--config", path, "--port", "0");

        Assert.Equal(2, exitCode);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.StartsWith("switchboard: cli.yaml: ", l, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("providers[0].type", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SigtermLetsAStreamUnderWayFinishBeforeTheProcessExits()
    {
        // About 3.5 s of streaming: longer than System.CommandLine's 2 s termination grace, shorter than the configured 30 s.
        var fixtures = Path.Combine(_directory.FullName, "slow.yaml");
        await File.WriteAllTextAsync(fixtures, """
            fixtures:
              - name: slow
                match: { last_user: go }
                response:
                  content: one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty last
                  stream: { chunk_size: 1, tokens_per_second: 6 }
            """, TestContext.Current.CancellationToken);
        var config = Path.Combine(_directory.FullName, "slow-serve.yaml");
        await File.WriteAllTextAsync(config, $$"""
            providers:
              - {name: fake, type: mock, fixtures: "{{fixtures}}"}
            models:
              - {name: m, deployments: [{provider: fake}]}
            server:
              shutdown_timeout: 30s
            """, TestContext.Current.CancellationToken);
        var port = Switchboard.Testing.Loopback.ClosedPort();
        var start = SwitchboardProcess.StartInfo("serve", "--config", config, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.WorkingDirectory = _directory.FullName;
        using var process = Process.Start(start)!;
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        guard.CancelAfter(TimeSpan.FromMinutes(1));
        _ = process.StandardOutput.ReadToEndAsync(guard.Token);
        _ = process.StandardError.ReadToEndAsync(guard.Token);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await WaitUntilHealthyAsync(http, guard.Token);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent("""{"model":"m","stream":true,"messages":[{"role":"user","content":"go"}]}""", System.Text.Encoding.UTF8, "application/json"),
            };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, guard.Token);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(guard.Token));
            while (await reader.ReadLineAsync(guard.Token) is { } line && !line.Contains("one", StringComparison.Ordinal))
            {
            }

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(guard.Token);
            }

            var rest = await reader.ReadToEndAsync(guard.Token);
            await process.WaitForExitAsync(guard.Token);

            Assert.Contains("last", rest, StringComparison.Ordinal);
            Assert.EndsWith("data: [DONE]\n\n", rest, StringComparison.Ordinal);
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    [Fact]
    public async Task ServeSaysWhereTheDashboardIs()
    {
        var start = SwitchboardProcess.StartInfo("serve", "--port", "0");
        start.WorkingDirectory = _directory.FullName;
        start.Environment.Remove("SWITCHBOARD_MASTER_KEY");
        using var process = Process.Start(start)!;
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        guard.CancelAfter(TimeSpan.FromMinutes(1));
        _ = process.StandardError.ReadToEndAsync(guard.Token);
        try
        {
            string? line;
            while ((line = await process.StandardOutput.ReadLineAsync(guard.Token)) is not null && !line.StartsWith("Dashboard:", StringComparison.Ordinal))
            {
            }

            Assert.NotNull(line);
            Assert.Matches(@"^Dashboard: http://127\.0\.0\.1:\d+/ui/ \(open to this machine only: no master key is set\)\.$", line);
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static async Task WaitUntilHealthyAsync(HttpClient http, CancellationToken cancellationToken)

    {
        while (true)
        {
            try
            {
                using var health = await http.GetAsync("/health", cancellationToken);
                if (health.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    [Fact]
    public async Task HelpListsTheCommands()
    {
        var (exitCode, stdout, _) = await RunAsync("--help");

        Assert.Equal(0, exitCode);
        Assert.Contains("serve", stdout, StringComparison.Ordinal);
        Assert.Contains("mock", stdout, StringComparison.Ordinal);
    }
}
