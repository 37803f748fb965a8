using System.Globalization;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Hosting.Http;

/// <summary>
/// How many connections a server holds at once. Each one costs a file descriptor, and so does every upstream
/// call, log file and database connection: at the process's open-file limit the runtime cannot even map code
/// ("Out of memory") and the listener stops for good. Kestrel refuses connections past
/// <see cref="MaxConnections"/> while everyone already connected is served; the first refusal of an overload is
/// logged once (Kestrel's own line per refused connection is turned off).
/// </summary>
/// <remarks>
/// The .NET runtime raises the soft open-file limit to the hard limit when it starts, so the limit read here is
/// already as high as the system allows.
/// </remarks>
public sealed partial record ConnectionLimits
{
    /// <summary>File descriptors kept back from client connections for everything else: logs, databases, the runtime.</summary>
    public const long ReservedFileDescriptors = 512;

    /// <summary>The default without a readable open-file limit (not Linux).</summary>
    public const long FallbackMaxConnections = 10_000;

    /// <summary>Kestrel's log category whose "connection rejected" line would otherwise come once per refused connection.</summary>
    public const string KestrelConnectionsCategory = "Microsoft.AspNetCore.Server.Kestrel.Connections";

    /// <summary>The most client connections open at once.</summary>
    public required long MaxConnections { get; init; }

    /// <summary>The most connections upgraded to another protocol (WebSockets) at once; they hold a descriptor each too.</summary>
    public required long MaxUpgradedConnections { get; init; }

    /// <summary>
    /// The limits to use: the configured ones, or by default half of what the open-file limit leaves after
    /// <see cref="ReservedFileDescriptors"/> (a proxied request holds a client and an upstream connection), and a
    /// tenth of that for upgraded connections.
    /// </summary>
    public static ConnectionLimits Resolve(long? maxConnections, long? maxUpgradedConnections, long? openFileLimit = null)
    {
        var fileLimit = openFileLimit ?? ReadOpenFileLimit();
        var connections = maxConnections ?? (fileLimit is { } limit ? Math.Max(64, (limit - ReservedFileDescriptors) / 2) : FallbackMaxConnections);
        return new ConnectionLimits
        {
            MaxConnections = connections,
            MaxUpgradedConnections = maxUpgradedConnections ?? Math.Max(1, connections / 10),
        };
    }

    /// <summary>The process's soft limit of open files, from <c>/proc/self/limits</c>; null where that cannot be read.</summary>
    public static long? ReadOpenFileLimit()
    {
        try
        {
            const string path = "/proc/self/limits";
            if (!File.Exists(path))
            {
                return null;
            }

            foreach (var line in File.ReadLines(path))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                    return long.TryParse(soft, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
                }
            }
        }
        catch (IOException)
        {
            // No limits to read: the fallback applies.
        }

        return null;
    }

    /// <summary>Sets Kestrel's limits.</summary>
    public void Apply(KestrelServerOptions kestrel)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        kestrel.Limits.MaxConcurrentConnections = MaxConnections;
        kestrel.Limits.MaxConcurrentUpgradedConnections = MaxUpgradedConnections;
    }

    /// <summary>
    /// A connection middleware that counts the connections Kestrel admitted and logs once when they reach
    /// <see cref="MaxConnections"/> (Kestrel refuses the next ones), and once when they are back under 90 %.
    /// One instance serves every endpoint of a server, since the limit is the server's.
    /// </summary>
    public Action<ListenOptions> CountConnections()
    {
        var gauge = new Gauge(MaxConnections);
        return listen => listen.Use(next =>
        {
            gauge.Logger ??= listen.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Switchboard.Connections");
            return async connection =>
            {
                gauge.Opened();
                try
                {
                    await next(connection);
                }
                finally
                {
                    gauge.Closed();
                }
            };
        });
    }

    private sealed class Gauge(long limit)
    {
        private long _open;
        private int _full;

        public ILogger? Logger { get; set; }

        public void Opened()
        {
            var open = Interlocked.Increment(ref _open);
            if (open >= limit && Interlocked.Exchange(ref _full, 1) == 0 && Logger is { } logger)
            {
                Log.Full(logger, open);
            }
        }

        public void Closed()
        {
            var open = Interlocked.Decrement(ref _open);
            if (open < limit * 9 / 10 && Volatile.Read(ref _full) == 1 && Interlocked.Exchange(ref _full, 0) == 1 && Logger is { } logger)
            {
                Log.Recovered(logger, open);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "{Open} connections are open, the most this server holds (server.max_connections): new connections are refused until some close")]
        public static partial void Full(ILogger logger, long open);

        [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "Down to {Open} open connections: accepting new ones again")]
        public static partial void Recovered(ILogger logger, long open);
    }
}
