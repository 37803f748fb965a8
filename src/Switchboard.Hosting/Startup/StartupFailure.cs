using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;

namespace Switchboard.Hosting.Startup;

/// <summary>
/// Why a server could not start, in one line for a person at a terminal: which address, what is wrong with it and
/// which option changes it, instead of the exception's stack trace.
/// </summary>
public static partial class StartupFailure
{
    /// <summary>
    /// One line describing <paramref name="exception"/>, thrown while the server started.
    /// </summary>
    /// <param name="exception">What starting threw.</param>
    /// <param name="address">The address it tried to listen on (<c>127.0.0.1:4000</c>); Kestrel's own message names it when it can.</param>
    /// <param name="portOption">How to choose another port (<c>--port N or server.port</c>).</param>
    /// <param name="hostOption">How to choose another address (<c>--host or server.host</c>).</param>
    public static string Describe(Exception exception, string address, string portOption, string hostOption)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (BoundAddress().Match(exception.Message) is { Success: true } named)
        {
            address = named.Groups["address"].Value;
        }

        var reason = Chain(exception).Any(e => e is AddressInUseException) ? SocketError.AddressAlreadyInUse
            : Chain(exception).OfType<SocketException>().FirstOrDefault()?.SocketErrorCode;
        var line = reason switch
        {
            SocketError.AddressAlreadyInUse => $"cannot listen on {address}: the address is already in use (another process listens there); choose another port with {portOption}, or 0 for any free one.",
            SocketError.AddressNotAvailable => $"cannot listen on {address}: no network interface of this machine has that address; choose another with {hostOption}.",
            SocketError.AccessDenied => $"cannot listen on {address}: permission denied (ports below 1024 need privileges); choose another port with {portOption}.",
            _ => exception.Message,
        };

        // A message of several lines (an aggregate of failures) still makes one line.
        return string.Join(' ', line.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    // Kestrel's "Failed to bind to address http://127.0.0.1:4000: address already in use."
    [GeneratedRegex(@"bind to address (?<address>\S+?):\s")]
    private static partial Regex BoundAddress();
}
