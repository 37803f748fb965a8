using System.Net;
using System.Net.Sockets;

namespace Switchboard.Testing;

/// <summary>Loopback addresses for tests that need a place where nothing answers.</summary>
public static class Loopback
{
    /// <summary>A loopback port nothing listens on: bound, read, then released.</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
