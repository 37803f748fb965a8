using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.Testing;

/// <summary>
/// A redis-server of the test's own on a free loopback port, for tests that stop and restart Redis (the shared
/// one from scripts/test-services.sh must stay up for the others). Data lives only in memory.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _directory;
    private Process? _process;

    private RedisServer(int port, string directory)
    {
        Port = port;
        _directory = directory;
    }

    public int Port { get; }

    /// <summary><c>127.0.0.1:PORT</c>, a StackExchange.Redis configuration string.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>The shared test Redis (<c>SWITCHBOARD_TEST_REDIS</c>), or null when the run has none.</summary>
    public static string? Shared => Environment.GetEnvironmentVariable("SWITCHBOARD_TEST_REDIS") is { Length: > 0 } value ? value : null;

    /// <summary>Why a test that needs Redis cannot run, or null when it can.</summary>
    public static string? SharedMissingReason => Shared is null
        ? "SWITCHBOARD_TEST_REDIS is not set (run through ./test.sh, which starts Redis with scripts/test-services.sh)."
        : null;

    /// <summary>Why a test cannot start a redis-server of its own, or null when it can.</summary>
    public static string? ExecutableMissingReason => FindExecutable() is null
        ? "redis-server is not installed (scripts/test-services.sh installs it on Debian)."
        : null;

    /// <summary>Starts a redis-server and waits until it answers.</summary>
    public static async Task<RedisServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var directory = Directory.CreateTempSubdirectory("switchboard-redis-").FullName;
        var server = new RedisServer(FreePort(), directory);
        await server.RestartAsync(cancellationToken);
        return server;
    }

    /// <summary>Starts the server again on the same port after <see cref="StopAsync"/>.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        var executable = FindExecutable() ?? throw new InvalidOperationException("redis-server is not installed.");
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList = { "--bind", "127.0.0.1", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no", "--dir", _directory },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {_process.ExitCode}.");
            }

            if (await AnswersPingAsync(cancellationToken))
            {
                return;
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>Kills the server and waits until it is gone: the port refuses connections afterwards.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<bool> AnswersPingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, cancellationToken);
            return read > 0 && buffer[0] == (byte)'+';
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string? FindExecutable()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(directory, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
