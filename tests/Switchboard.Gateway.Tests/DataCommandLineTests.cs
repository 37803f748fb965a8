using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>`switchboard keys` and `switchboard usage` as real processes, and the gateway process stopped under load.</summary>
public sealed class DataCommandLineTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("switchboard-data-cli-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string ConfigPath => Path.Combine(_directory.FullName, "switchboard.yaml");

    private string DatabasePath => Path.Combine(_directory.FullName, "data", "switchboard.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    private async Task WriteConfigAsync(string extra = "")
    {
        await File.WriteAllTextAsync(ConfigPath, $$"""
            providers:
              - {name: mock, type: mock}
            models:
              - {name: mock-echo, deployments: [{provider: mock, model: mock-echo}]}
            database:
              connection: "Data Source={{DatabasePath}}"
              spill_path: "{{Path.Combine(_directory.FullName, "data", "spill.jsonl")}}"
            {{extra}}
            """, Ct);
    }

    private ProcessStartInfo Start(IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = SwitchboardProcess.StartInfo(arguments);
        start.WorkingDirectory = _directory.FullName;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return start;
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        using var process = Process.Start(Start(environment, arguments))!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        guard.CancelAfter(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(guard.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task KeysCreateListAndRevokeWorkOnTheDatabaseServeUses()
    {
        await WriteConfigAsync();

        var created = await RunAsync(null, "keys", "create", "--config", ConfigPath, "--name", "ci", "--user", "alice", "--team", "ml", "--rpm", "60", "--tpm", "5000", "--budget", "10/day", "--budget", "50/month", "--models", "mock-*,gpt-4o", "--expires", "30d");
        Assert.True(created.ExitCode == 0, created.Stderr);
        var key = created.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim();
        Assert.StartsWith("sk-sb-", key, StringComparison.Ordinal);

        var listed = await RunAsync(null, "keys", "list", "--config", ConfigPath);
        Assert.Equal(0, listed.ExitCode);
        Assert.Contains(key[..14], listed.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(key[14..], listed.Stdout, StringComparison.Ordinal);
        Assert.Contains("$10/day $50/month", listed.Stdout, StringComparison.Ordinal);
        Assert.Contains("mock-*,gpt-4o", listed.Stdout, StringComparison.Ordinal);

        // The gateway with the same file lets the key in.
        await using (var gateway = await TestGateway.StartAsync(await File.ReadAllTextAsync(ConfigPath, Ct), KeyedGateway.Environment()))
        {
            using var client = gateway.Client(key);
            using var response = await client.PostAsync("/v1/chat/completions", KeyedGateway.Chat(), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var revoked = await RunAsync(null, "keys", "revoke", key[..12], "--config", ConfigPath);
        Assert.True(revoked.ExitCode == 0, revoked.Stderr);
        Assert.Contains("Revoked", revoked.Stdout, StringComparison.Ordinal);
        var afterRevoke = await RunAsync(null, "keys", "list", "--config", ConfigPath);
        Assert.DoesNotContain(key[..14], afterRevoke.Stdout, StringComparison.Ordinal);
        var all = await RunAsync(null, "keys", "list", "--all", "--config", ConfigPath);
        Assert.Contains("revoked", all.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("keys", "create", "--name", "x", "--budget", "lots")]
    [InlineData("keys", "create", "--name", "x", "--expires", "someday")]
    [InlineData("keys", "create", "--budget", "10/day")]
    [InlineData("keys", "create", "--name", "x", "--rpm", "0")]
    public async Task BadKeyFlagsExitWithCode2AndOneLine(params string[] arguments)
    {
        await WriteConfigAsync();

        var (exitCode, _, stderr) = await RunAsync(null, [.. arguments, "--config", ConfigPath]);

        Assert.Equal(2, exitCode);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("switchboard", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsageShowDecryptsTheStoredMessagesOfOneRequest()
    {
        var encryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await WriteConfigAsync("  store_messages: true\n  encryption_key: env:SB_TEST_ENCRYPTION_KEY\n");
        var environment = new Dictionary<string, string> { ["SB_TEST_ENCRYPTION_KEY"] = encryptionKey };
        await using (var gateway = await TestGateway.StartAsync(await File.ReadAllTextAsync(ConfigPath, Ct), environment.ToDictionary(e => e.Key, e => (string?)e.Value)))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = KeyedGateway.Chat(text: "the launch code is 0000") };
            request.Headers.Add("x-request-id", "stored-1");
            using var response = await gateway.Http.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await gateway.StopAsync(Ct);
        }

        SqliteConnection.ClearAllPools();
        var raw = System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(DatabasePath, Ct));
        Assert.DoesNotContain("launch code", raw, StringComparison.Ordinal);

        var shown = await RunAsync(environment, "usage", "show", "stored-1", "--config", ConfigPath);
        Assert.True(shown.ExitCode == 0, shown.Stderr);
        Assert.Contains("the launch code is 0000", shown.Stdout, StringComparison.Ordinal);
        Assert.Contains("answer    the launch code is 0000", shown.Stdout, StringComparison.Ordinal);

        var wrongKey = new Dictionary<string, string> { ["SB_TEST_ENCRYPTION_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };
        var refused = await RunAsync(wrongKey, "usage", "show", "stored-1", "--config", ConfigPath);
        Assert.Equal(1, refused.ExitCode);
        Assert.DoesNotContain("launch code", refused.Stdout + refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoringMessagesWithoutAnEncryptionKeyStopsStartUp()
    {
        await WriteConfigAsync("  store_messages: true\n");

        var (exitCode, _, stderr) = await RunAsync(null, "serve", "--config", ConfigPath, "--port", "0");

        Assert.Equal(2, exitCode);
        Assert.Contains("database.encryption_key", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoUsageRowIsLostWhenSigtermArrivesInTheMiddleOfALoad()
    {
        await WriteConfigAsync("server:\n  shutdown_timeout: 30s\n");
        var port = Switchboard.Testing.Loopback.ClosedPort();
        using var process = Process.Start(Start(null, "serve", "--config", ConfigPath, "--port", port.ToString(CultureInfo.InvariantCulture)))!;
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        guard.CancelAfter(TimeSpan.FromMinutes(2));
        var stdout = process.StandardOutput.ReadToEndAsync(guard.Token);
        var stderr = process.StandardError.ReadToEndAsync(guard.Token);
        var answered = new System.Collections.Concurrent.ConcurrentBag<string>();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await WaitUntilHealthyAsync(http, guard.Token);
            var halfway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var sent = 0;
            var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                while (true)
                {
                    var id = $"load-{Interlocked.Increment(ref sent)}";
                    using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = KeyedGateway.Chat() };
                    request.Headers.Add("x-request-id", id);
                    try
                    {
                        using var response = await http.SendAsync(request, guard.Token);
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            await response.Content.ReadAsStringAsync(guard.Token);
                            answered.Add(id);
                            if (answered.Count == 300)
                            {
                                halfway.TrySetResult();
                            }
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return; // The listener closed: the gateway is stopping.
                    }
                }
            }, guard.Token)).ToList();

            await halfway.Task.WaitAsync(guard.Token);
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(guard.Token);
            }

            await Task.WhenAll(workers);
            await process.WaitForExitAsync(guard.Token);
            Assert.True(process.ExitCode == 0, await stderr);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }

        await using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync(Ct);
        await using var command = new SqliteCommand("SELECT request_id FROM usage", connection);
        var rows = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                rows.Add(reader.GetString(0));
            }
        }

        Assert.True(answered.Count >= 300);
        Assert.Empty(answered.Except(rows));
        Assert.Equal(rows.Count, rows.Distinct().Count());
        Assert.False(File.Exists(Path.Combine(_directory.FullName, "data", "spill.jsonl")), await stdout);
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
}
