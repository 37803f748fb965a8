using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Switchboard.Hosting.Startup;

/// <summary>
/// Keeps the generic host's "Hosting failed to start" entry, a whole stack trace, off the console: the
/// exception reaches the command, which says what went wrong in one line (<see cref="StartupFailure"/>). Once the
/// server has started the host's errors (a background service that faults) are logged as before.
/// </summary>
public sealed class HostStartupLog
{
    /// <summary>The generic host's log category.</summary>
    public const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    private volatile bool _started;

    private HostStartupLog()
    {
    }

    /// <summary>Mutes the host's warnings and errors (not its critical entries) until <see cref="OpenWhenStarted"/> sees the start.</summary>
    public static HostStartupLog Mute(ILoggingBuilder logging)
    {
        ArgumentNullException.ThrowIfNull(logging);
        var log = new HostStartupLog();
        // The most specific rule wins, so this one also keeps the host's information lines out, as "Microsoft: Warning" did.
        logging.AddFilter(HostCategory, level => level >= LogLevel.Critical || (log._started && level >= LogLevel.Warning));
        return log;
    }

    /// <summary>Lets the host's entries through once <paramref name="lifetime"/> reports the application started.</summary>
    public void OpenWhenStarted(IHostApplicationLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(lifetime);
        lifetime.ApplicationStarted.Register(() => _started = true);
    }
}
