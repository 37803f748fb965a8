using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Switchboard.Fuzz.Tests;

/// <summary>
/// The real <c>switchboard</c> executable (<c>serve</c> or <c>mock</c>) in a process of its own, on a free loopback
/// port, so a crash, a hang or memory held are the process's own and can be seen from outside.
/// </summary>
public sealed partial class SwitchboardProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SwitchboardProcess(Process process, IPEndPoint endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    public IPEndPoint Endpoint { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the process wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Resident memory now, from <c>/proc</c> (Linux), in bytes; null elsewhere.</summary>
    public long? ResidentBytes()
    {
        var status = $"/proc/{_process.Id}/status";
        if (!File.Exists(status))
        {
            return null;
        }

        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>Starts <c>switchboard</c> with <paramref name="arguments"/> plus <c>--port 0</c> and waits until it says where it listens.</summary>
    public static async Task<SwitchboardProcess> StartAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "switchboard.dll");
        var start = new ProcessStartInfo("dotnet", ["exec", dll, .. arguments, "--port", "0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("switchboard did not start.");
        var listening = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new StringBuilder();
        void OnLine(string? line)
        {
            if (line is null)
            {
                listening.TrySetException(new InvalidOperationException("switchboard ended before it listened:\n" + output));
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }

            if (ListeningPattern().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(new IPEndPoint(IPAddress.Loopback, int.Parse(match.Groups["port"].Value, CultureInfo.InvariantCulture)));
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                OnLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var endpoint = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            var started = new SwitchboardProcess(process, endpoint);
            process.OutputDataReceived += (_, e) => started.Append(e.Data);
            process.ErrorDataReceived += (_, e) => started.Append(e.Data);
            started.Append(output.ToString());
            return started;
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Asks the process to stop as SIGTERM does and waits for it to exit.</summary>
    public async Task<int> StopAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync(cancellationToken);
        }

        await _process.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 4 * 1024 * 1024)
            {
                _output.AppendLine(line);
            }
        }
    }

    [GeneratedRegex(@"listening on http://(127\.0\.0\.1|\[::1\]|localhost):(?<port>\d+)")]
    private static partial Regex ListeningPattern();
}
