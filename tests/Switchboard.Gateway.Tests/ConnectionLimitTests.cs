using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Switchboard.Gateway.Tests.Infrastructure;
using Switchboard.Hosting.Http;

namespace Switchboard.Gateway.Tests;

/// <summary>
/// server.max_connections: past the limit new connections are refused while those already open are served, the
/// overload is logged once, and connections are taken again once some close. (Tested at a limit of 4; the
/// default derives from the open-file limit, about 10,000 here.)
/// </summary>
public sealed class ConnectionLimitTests
{
    private const int Limit = 4;
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConnectionsPastTheLimitAreRefusedWhileOpenOnesAreServedAndTheOverloadIsLoggedOnce()
    {
        var logs = new LogCapture();
        await using var gateway = await TestGateway.StartAsync(environment: new Dictionary<string, string?> { ["SWITCHBOARD__server__max_connections"] = $"{Limit}" }, logs: logs);
        var endpoint = new IPEndPoint(IPAddress.Loopback, new Uri(gateway.BaseUrl).Port);
        var open = new List<Socket>();
        try
        {
            for (var i = 0; i < Limit; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(endpoint, Ct);
                Assert.Contains("200 OK", await KeepAliveHealthAsync(socket), StringComparison.Ordinal);
                open.Add(socket);
            }

            for (var i = 0; i < 3; i++)
            {
                var refused = await RawHttp.ExchangeAsync(endpoint, RawHttp.Build("GET", "/health", [], null), halfClose: false, Guard, Ct);
                Assert.Equal(RawOutcome.Closed, refused.Outcome);
            }

            Assert.Contains("200 OK", await KeepAliveHealthAsync(open[0]), StringComparison.Ordinal);

            open[^1].Dispose();
            open.RemoveAt(open.Count - 1);
            Assert.Equal(200, (await AnswerOnceAConnectionIsFreeAsync(endpoint)).Status);
        }
        finally
        {
            open.ForEach(s => s.Dispose());
        }

        var warnings = logs.Entries.Where(e => e.Level >= LogLevel.Warning).ToList();
        Assert.Single(warnings, e => e.Category == "Switchboard.Connections");
        Assert.DoesNotContain(warnings, e => e.Category.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(20_000L, 9_744L)]
    [InlineData(1_024L, 256L)]
    [InlineData(100L, 64L)]
    public void TheDefaultLimitLeavesHalfOfTheFreeFileDescriptorsToUpstreamCalls(long openFiles, long expected)
    {
        var limits = ConnectionLimits.Resolve(null, null, openFiles);

        Assert.Equal(expected, limits.MaxConnections);
        Assert.InRange(limits.MaxUpgradedConnections, 1, limits.MaxConnections);
    }

    [Fact]
    public void ConfiguredLimitsWin() => Assert.Equal(7, ConnectionLimits.Resolve(7, 2, 20_000).MaxConnections);

    private static async Task<string> KeepAliveHealthAsync(Socket socket)
    {
        await socket.SendAsync("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), SocketFlags.None, Ct);
        var received = new StringBuilder();
        var buffer = new byte[4096];
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        guard.CancelAfter(Guard);
        // The answer is small: its body ends with '}', or its chunked framing with the last, empty chunk.
        while (!received.ToString().EndsWith('}') && !received.ToString().EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, guard.Token);
            if (read == 0)
            {
                break;
            }

            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return received.ToString();
    }

    /// <summary>The server counts a closed connection out once it has noticed the close: ask until it answers (within the guard).</summary>
    private static async Task<RawResponse> AnswerOnceAConnectionIsFreeAsync(IPEndPoint endpoint)
    {
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        guard.CancelAfter(Guard);
        while (true)
        {
            var response = await RawHttp.ExchangeAsync(endpoint, RawHttp.Build("GET", "/health", [], null), halfClose: false, Guard, guard.Token);
            if (response.Outcome == RawOutcome.Answered)
            {
                return response;
            }

            await Task.Delay(50, guard.Token);
        }
    }
}
