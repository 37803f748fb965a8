using Microsoft.Extensions.Configuration;

namespace Switchboard.Gateway.Configuration;

/// <summary><c>server:</c> settings of the HTTP listener itself.</summary>
public sealed class ServerOptions
{
    /// <summary>The address to listen on (<c>127.0.0.1</c>, <c>localhost</c>, <c>0.0.0.0</c>); <c>--host</c> wins.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The port to listen on; 0 picks a free one; <c>--port</c> wins.</summary>
    public int Port { get; set; } = 4000;

    /// <summary>The largest request body accepted; larger ones get 413.</summary>
    [ConfigurationKeyName("max_body_bytes")]
    public long MaxBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// On stop (SIGTERM, Ctrl+C) the listener closes at once and requests under way get this long to finish;
    /// streams still open after it are cut. Long generations need more than ASP.NET Core's default.
    /// </summary>
    [ConfigurationKeyName("shutdown_timeout")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The most client connections open at once; more are refused while those already connected are served.
    /// Default: half of what the process's open-file limit leaves after 512 (see <c>ConnectionLimits</c>).
    /// </summary>
    [ConfigurationKeyName("max_connections")]
    public long? MaxConnections { get; set; }

    /// <summary>The most connections upgraded to another protocol (WebSockets) at once; default a tenth of <see cref="MaxConnections"/>.</summary>
    [ConfigurationKeyName("max_upgraded_connections")]
    public long? MaxUpgradedConnections { get; set; }

    /// <summary>
    /// Reverse proxies (IP addresses or networks such as <c>10.0.0.0/8</c>) whose <c>X-Forwarded-For</c> and
    /// <c>X-Forwarded-Proto</c> are believed: the client's address (per-client limits, loopback checks) and whether it
    /// came over HTTPS (the dashboard cookie's Secure flag). Empty (the default): those headers are ignored.
    /// </summary>
    [ConfigurationKeyName("trusted_proxies")]
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>Parses a <see cref="TrustedProxies"/> entry: an address (one host) or a network in CIDR notation; null when it is neither.</summary>
    public static System.Net.IPNetwork? ParseProxy(string? entry)
    {
        var text = entry?.Trim() ?? string.Empty;
        if (System.Net.IPNetwork.TryParse(text, out var network))
        {
            return network;
        }

        return System.Net.IPAddress.TryParse(text, out var address)
            ? new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
            : null;
    }
}
