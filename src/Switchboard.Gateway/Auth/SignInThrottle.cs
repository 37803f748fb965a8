using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.Gateway.Auth;

/// <summary>
/// Limits failed dashboard sign-ins (<c>POST /ui/api/login</c>) per client address, so the master key cannot be
/// guessed at the speed of HTTP: after <see cref="MaxFailures"/> wrong keys within <see cref="Window"/> of the
/// first, that address is refused (429 with retry-after) until the window ends, even with the right key. A
/// successful sign-in clears the address's count. IPv6 clients count by their /64, which one host usually owns
/// whole. Behind a reverse proxy every client shares the proxy's address unless <c>server.trusted_proxies</c> names it.
/// </summary>
public sealed class SignInThrottle
{
    /// <summary>Wrong keys allowed per address within <see cref="Window"/>.</summary>
    public const int MaxFailures = 5;

    /// <summary>How long an address's failures count, from its first failure.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    // Past this many addresses, windows that have ended are forgotten before a new address is added.
    private const int PruneAbove = 10_000;

    private readonly ConcurrentDictionary<string, Failures> _byClient = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public SignInThrottle(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>How long <paramref name="client"/> must wait before trying again; null when it may try now.</summary>
    public TimeSpan? RetryAfter(IPAddress? client)
    {
        if (!_byClient.TryGetValue(Key(client), out var failures))
        {
            return null;
        }

        var now = _time.GetUtcNow();
        lock (failures)
        {
            var ends = failures.Since + Window;
            return failures.Count >= MaxFailures && now < ends ? ends - now : null;
        }
    }

    /// <summary>Counts a wrong key from <paramref name="client"/>.</summary>
    public void Failed(IPAddress? client)
    {
        var now = _time.GetUtcNow();
        if (_byClient.Count >= PruneAbove)
        {
            Prune(now);
        }

        var failures = _byClient.GetOrAdd(Key(client), static (_, at) => new Failures { Since = at }, now);
        lock (failures)
        {
            if (now >= failures.Since + Window)
            {
                failures.Since = now;
                failures.Count = 0;
            }

            failures.Count++;
        }
    }

    /// <summary>Clears <paramref name="client"/>'s failures after it signed in.</summary>
    public void Succeeded(IPAddress? client) => _byClient.TryRemove(Key(client), out _);

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, failures) in _byClient)
        {
            bool ended;
            lock (failures)
            {
                ended = now >= failures.Since + Window;
            }

            if (ended)
            {
                _byClient.TryRemove(key, out _);
            }
        }
    }

    private static string Key(IPAddress? client)
    {
        if (client is null)
        {
            return "unknown";
        }

        if (client.IsIPv4MappedToIPv6)
        {
            return client.MapToIPv4().ToString();
        }

        if (client.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return client.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        client.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    private sealed class Failures
    {
        public DateTimeOffset Since { get; set; }

        public int Count { get; set; }
    }
}
