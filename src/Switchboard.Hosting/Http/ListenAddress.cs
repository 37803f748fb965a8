using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Switchboard.Hosting.Http;

/// <summary>
/// Where a server listens. Only an IP address, <c>localhost</c> or an any-address (<c>0.0.0.0</c>, <c>*</c>)
/// is accepted: Kestrel would quietly treat a misspelt name (<c>locahost</c>) as "every interface",
/// exposing the server.
/// </summary>
public sealed record ListenAddress
{
    private ListenAddress(IPAddress? address, bool isLocalhost)
    {
        Address = address;
        IsLocalhost = isLocalhost;
    }

    /// <summary>The address; null for every interface.</summary>
    public IPAddress? Address { get; }

    /// <summary>True for <c>localhost</c>: both loopbacks, IPv4 and IPv6.</summary>
    public bool IsLocalhost { get; }

    /// <summary>Whether only this machine can connect: <c>localhost</c>, 127.0.0.0/8 or ::1.</summary>
    public bool IsLoopback => Address is not null && IPAddress.IsLoopback(Address);

    /// <summary>Parses a host; returns null and a one-line reason when it is not acceptable.</summary>
    public static ListenAddress? TryParse(string? host, out string? problem)
    {
        problem = null;
        switch (host?.Trim())
        {
            case "*" or "+" or "0.0.0.0" or "::" or "[::]":
                return new ListenAddress(null, false);
            case { } name when name.Equals("localhost", StringComparison.OrdinalIgnoreCase):
                return new ListenAddress(IPAddress.Loopback, true);
            case { Length: > 0 } text when IPAddress.TryParse(text.Trim('[', ']'), out var address):
                return new ListenAddress(address, false);
            default:
                problem = $"'{host}' is not an IP address, localhost or 0.0.0.0";
                return null;
        }
    }

    /// <summary>Makes Kestrel listen on this address and <paramref name="port"/> (0 picks a free one).</summary>
    /// <param name="configure">Applied to each endpoint (connection middleware, say).</param>
    public void Apply(KestrelServerOptions kestrel, int port, Action<ListenOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        configure ??= static _ => { };
        if (Address is null)
        {
            kestrel.ListenAnyIP(port, configure);
        }
        else if (IsLocalhost && port != 0)
        {
            // Both loopbacks, IPv4 and IPv6, as "localhost" means to clients (Kestrel cannot do so on a dynamic port).
            kestrel.ListenLocalhost(port, configure);
        }
        else
        {
            kestrel.Listen(Address, port, configure);
        }
    }
}
