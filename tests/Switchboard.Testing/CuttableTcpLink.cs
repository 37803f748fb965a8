using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.Testing;

/// <summary>
/// A loopback TCP forwarder to a real server (PostgreSQL, Redis) that a test can cut and restore: cut closes
/// every connection and refuses new ones, as a stopped server does, without stopping the server other tests use.
/// </summary>
public sealed class CuttableTcpLink : IAsyncDisposable
{
    private readonly int _targetPort;
    private readonly ConcurrentDictionary<TcpClient, byte> _connections = new();
    private TcpListener? _listener;
    private CancellationTokenSource _stop = new();
    private Task _accepting = Task.CompletedTask;

    private CuttableTcpLink(int port, int targetPort)
    {
        Port = port;
        _targetPort = targetPort;
    }

    /// <summary>The loopback port to connect to instead of the server's.</summary>
    public int Port { get; }

    /// <summary>Connections made through the link so far.</summary>
    public int Accepted => _accepted;

    private int _accepted;

    public static CuttableTcpLink Start(int targetPort)
    {
        var link = new CuttableTcpLink(Loopback.ClosedPort(), targetPort);
        link.Restore();
        return link;
    }

    /// <summary>Closes every connection and refuses new ones until <see cref="Restore"/>.</summary>
    public async Task CutAsync()
    {
        await _stop.CancelAsync();
        _listener?.Stop();
        foreach (var connection in _connections.Keys)
        {
            try
            {
                // A reset, as when the server's process is gone, not a polite close.
                connection.Client?.LingerState = new LingerOption(true, 0);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }

            connection.Dispose();
        }

        _connections.Clear();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Accepts connections again.</summary>
    public void Restore()
    {
        _stop.Dispose();
        _stop = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _accepting = AcceptAsync(_listener, _stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await CutAsync();
        _stop.Dispose();
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            _ = PipeAsync(client, cancellationToken);
        }
    }

    private async Task PipeAsync(TcpClient client, CancellationToken cancellationToken)
    {
        var server = new TcpClient();
        _connections[client] = 0;
        _connections[server] = 0;
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _targetPort, cancellationToken);
            var a = client.GetStream().CopyToAsync(server.GetStream(), cancellationToken);
            var b = server.GetStream().CopyToAsync(client.GetStream(), cancellationToken);
            await Task.WhenAny(a, b);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // Cut, or one side closed.
        }
        finally
        {
            _connections.TryRemove(client, out _);
            _connections.TryRemove(server, out _);
            client.Dispose();
            server.Dispose();
        }
    }
}
