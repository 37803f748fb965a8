using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Switchboard.Gateway.Tests.Infrastructure;

/// <summary>
/// A <c>switchboard serve</c> process of its own (the executable the tests were built with), on a free loopback port;
/// started once it says where it listens, which it does after start-up work (loading a cache) is done.
/// </summary>
public sealed partial class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;

    private GatewayProcess(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
        Http = new HttpClient { BaseAddress = new Uri(baseUrl) };
    }

    /// <summary><c>http://127.0.0.1:PORT</c>.</summary>
    public string BaseUrl { get; }

    public HttpClient Http { get; }

    public static async Task<GatewayProcess> StartAsync(string configPath, CancellationToken cancellationToken)
    {
        var start = SwitchboardProcess.StartInfo("serve", "--config", configPath, "--port", "0");
        start.WorkingDirectory = Path.GetDirectoryName(configPath)!;
        var process = Process.Start(start)!;
        _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            using var guard = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            guard.CancelAfter(TimeSpan.FromMinutes(2));
            while (await process.StandardOutput.ReadLineAsync(guard.Token) is { } line)
            {
                if (Listening().Match(line) is { Success: true } match)
                {
                    _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                    return new GatewayProcess(process, match.Groups["url"].Value);
                }
            }

            throw new InvalidOperationException($"switchboard serve exited with code {(process.HasExited ? process.ExitCode : -1)} before listening.");
        }
        catch
        {
            Stop(process);
            process.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Stop(_process);
        await _process.WaitForExitAsync(CancellationToken.None);
        _process.Dispose();
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    [GeneratedRegex(@"listening on (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();
}
