using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Switchboard.Testing;

/// <summary>
/// HTTP/1.1 over a plain socket, so a case can send any bytes at all (broken framing, smuggling attempts, bad
/// encodings) and see exactly what comes back. One connection per exchange.
/// </summary>
public static class RawHttp
{
    private const int MaxHeaderBytes = 64 * 1024;
    private const int MaxBodyBytes = 64 * 1024 * 1024;

    /// <summary>Sends <paramref name="request"/> and reads one answer (1xx answers skipped) within <paramref name="timeout"/>.</summary>
    /// <param name="halfClose">Shut down the sending side after the request, as a client whose body ended early does.</param>
    public static async Task<RawResponse> ExchangeAsync(IPEndPoint server, byte[] request, bool halfClose, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(server, deadline.Token);
            try
            {
                await socket.SendAsync(request, SocketFlags.None, deadline.Token);
                if (halfClose)
                {
                    socket.Shutdown(SocketShutdown.Send);
                }
            }
            catch (SocketException)
            {
                // The server answered and closed before it read everything (a 413, say): read what it said.
            }

            var reader = new Reader(socket);
            while (true)
            {
                var head = await reader.ReadHeadAsync(deadline.Token);
                if (head is null)
                {
                    return new RawResponse { Outcome = RawOutcome.Closed };
                }

                var (status, headers) = head.Value;
                if (status is >= 100 and < 200)
                {
                    continue;
                }

                var body = await reader.ReadBodyAsync(headers, deadline.Token);
                return body is null
                    ? new RawResponse { Outcome = RawOutcome.Closed, Status = status, Headers = headers }
                    : new RawResponse { Outcome = RawOutcome.Answered, Status = status, Headers = headers, Body = body };
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new RawResponse { Outcome = RawOutcome.TimedOut };
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return new RawResponse { Outcome = RawOutcome.Closed };
        }
    }

    /// <summary>Builds a request: request line, <c>Host</c>, the given headers, a <c>Content-Length</c> unless told otherwise, and the body.</summary>
    public static byte[] Build(string method, string target, IEnumerable<(string Name, string Value)> headers, byte[]? body, bool contentLength = true)
    {
        var head = new StringBuilder();
        head.Append(method).Append(' ').Append(target).Append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        if (body is not null && contentLength)
        {
            head.Append("Content-Length: ").Append(body.Length).Append("\r\n");
        }

        head.Append("\r\n");
        return [.. Encoding.Latin1.GetBytes(head.ToString()), .. body ?? []];
    }

    private sealed class Reader(Socket socket)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        public async Task<(int Status, Dictionary<string, string> Headers)?> ReadHeadAsync(CancellationToken cancellationToken)
        {
            var head = new MemoryStream();
            while (true)
            {
                var line = await ReadLineAsync(cancellationToken);
                if (line is null)
                {
                    return null;
                }

                if (line.Length == 0)
                {
                    break;
                }

                head.Write(Encoding.Latin1.GetBytes(line + "\n"));
                if (head.Length > MaxHeaderBytes)
                {
                    throw new IOException("The answer's header is too large.");
                }
            }

            var lines = Encoding.Latin1.GetString(head.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (lines.Length == 0)
            {
                return null;
            }

            var parts = lines[0].Split(' ', 3);
            if (parts.Length < 2 || !int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var status))
            {
                throw new IOException("Not an HTTP status line: " + lines[0]);
            }

            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var header in lines.Skip(1))
            {
                var colon = header.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    headers[header[..colon].Trim()] = header[(colon + 1)..].Trim();
                }
            }

            return (status, headers);
        }

        public async Task<byte[]?> ReadBodyAsync(Dictionary<string, string> headers, CancellationToken cancellationToken)
        {
            if (headers.TryGetValue("transfer-encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                var body = new MemoryStream();
                while (true)
                {
                    var sizeLine = await ReadLineAsync(cancellationToken);
                    if (sizeLine is null)
                    {
                        return null;
                    }

                    var size = Convert.ToInt32(sizeLine.Split(';')[0].Trim(), 16);
                    if (size == 0)
                    {
                        while (await ReadLineAsync(cancellationToken) is { Length: > 0 })
                        {
                        }

                        return body.ToArray();
                    }

                    if (body.Length + size > MaxBodyBytes || await ReadExactlyAsync(body, size, cancellationToken) is false || await ReadLineAsync(cancellationToken) is null)
                    {
                        return null;
                    }
                }
            }

            if (headers.TryGetValue("content-length", out var lengthText) && long.TryParse(lengthText, System.Globalization.CultureInfo.InvariantCulture, out var length))
            {
                var body = new MemoryStream();
                return length <= MaxBodyBytes && await ReadExactlyAsync(body, (int)length, cancellationToken) ? body.ToArray() : null;
            }

            // No framing: the body runs to the end of the connection.
            var rest = new MemoryStream();
            while (await FillAsync(cancellationToken))
            {
                rest.Write(_buffer, _start, _end - _start);
                _start = _end;
                if (rest.Length > MaxBodyBytes)
                {
                    return null;
                }
            }

            rest.Write(_buffer, _start, _end - _start);
            _start = _end;
            return rest.ToArray();
        }

        private async Task<bool> ReadExactlyAsync(MemoryStream target, int count, CancellationToken cancellationToken)
        {
            while (count > 0)
            {
                if (_start == _end && !await FillAsync(cancellationToken))
                {
                    return false;
                }

                var take = Math.Min(count, _end - _start);
                target.Write(_buffer, _start, take);
                _start += take;
                count -= take;
            }

            return true;
        }

        private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            var line = new StringBuilder();
            while (true)
            {
                if (_start == _end && !await FillAsync(cancellationToken))
                {
                    return null;
                }

                var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                var stop = newline < 0 ? _end : newline;
                line.Append(Encoding.Latin1.GetString(_buffer, _start, stop - _start));
                if (line.Length > MaxHeaderBytes)
                {
                    throw new IOException("A line of the answer is too long.");
                }

                if (newline >= 0)
                {
                    _start = newline + 1;
                    return line.ToString().TrimEnd('\r');
                }

                _start = _end;
            }
        }

        private async Task<bool> FillAsync(CancellationToken cancellationToken)
        {
            if (_start < _end)
            {
                return true;
            }

            _start = _end = 0;
            var read = await socket.ReceiveAsync(_buffer.AsMemory(), SocketFlags.None, cancellationToken);
            _end = read;
            return read > 0;
        }
    }
}
