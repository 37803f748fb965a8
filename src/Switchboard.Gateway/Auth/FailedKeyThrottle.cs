using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.Gateway.Auth;

/// <summary>
/// Counts wrong keys per client address so that keys cannot be guessed at the speed of HTTP: after
/// <see cref="MaxFailures"/> wrong keys within <see cref="Window"/> of the first, the address is refused until that
/// window ends; callers check <see cref="RetryAfter"/> before they look at a key, so a refused address learns
/// nothing about its guesses. IPv6 clients count by their /64, which one host usually owns whole; IPv4-mapped IPv6
/// addresses count as their IPv4 address. Behind a reverse proxy every client shares the proxy's address unless
/// <c>server.trusted_proxies</c> names it. Two instances serve the gateway: the dashboard's sign-in
/// (<see cref="ForSignIn"/>) and keys in request headers (<c>auth.failed_key_*</c>, <see cref="HeaderKeyThrottle"/>).
/// Memory is bounded: past <see cref="Capacity"/> addresses, ended windows are forgotten and then the oldest ones.
/// Counts are per process.
/// </summary>
public sealed class FailedKeyThrottle
{
    /// <summary>The DI key of the dashboard sign-in's throttle.</summary>
    public const string SignInService = "sign-in";

    /// <summary>The DI key of the throttle of keys in request headers.</summary>
    public const string HeaderKeyService = "header-keys";

    /// <summary>Wrong master keys allowed per address on <c>POST /ui/api/login</c> within <see cref="SignInWindow"/>.</summary>
    public const int SignInFailures = 5;

    /// <summary>How long sign-in failures count, from the first.</summary>
    public static readonly TimeSpan SignInWindow = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<ClientKey, Failures> _byClient = new();
    private readonly TimeProvider _time;
    private readonly Lock _evicting = new();

    // The latest end of a block handed out (UTC ticks), 0 when none can still be running: requests from addresses
    // that were never refused then pay one volatile read instead of a lookup.
    private long _blockedUntil;

    /// <param name="maxFailures">Wrong keys allowed per address within <paramref name="window"/>; 0 turns the throttle off.</param>
    /// <param name="window">How long an address's failures count, from its first.</param>
    /// <param name="capacity">Addresses tracked at most.</param>
    /// <param name="time">The clock.</param>
    public FailedKeyThrottle(int maxFailures, TimeSpan window, int capacity, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxFailures);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentNullException.ThrowIfNull(time);
        MaxFailures = maxFailures;
        Window = window;
        Capacity = capacity;
        _time = time;
    }

    /// <summary>The dashboard sign-in's throttle: <see cref="SignInFailures"/> within <see cref="SignInWindow"/>.</summary>
    public static FailedKeyThrottle ForSignIn(TimeProvider time) => new(SignInFailures, SignInWindow, 10_000, time);

    /// <summary>Wrong keys allowed per address within <see cref="Window"/> (0: off).</summary>
    public int MaxFailures { get; }

    /// <summary>How long an address's failures count, from its first.</summary>
    public TimeSpan Window { get; }

    /// <summary>Addresses tracked at most.</summary>
    public int Capacity { get; }

    /// <summary>False when the throttle is off (<see cref="MaxFailures"/> 0).</summary>
    public bool Enabled => MaxFailures > 0;

    /// <summary>
    /// False when no address can be refused now (no block was handed out, or every one has ended and a check saw
    /// it): one volatile read, for callers that would otherwise read the client's key and address to ask.
    /// </summary>
    public bool MayRefuse => Volatile.Read(ref _blockedUntil) != 0;

    /// <summary>Addresses tracked now (with failures in a window that may have ended).</summary>
    public int Tracked => _byClient.Count;

    /// <summary>How long <paramref name="client"/> must wait before trying again; null when it may try now.</summary>
    public TimeSpan? RetryAfter(IPAddress? client)
    {
        var until = Volatile.Read(ref _blockedUntil);
        if (until == 0)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        if (now.UtcTicks >= until)
        {
            // Every block handed out so far has ended; one that is being handed out now moves the mark again.
            Interlocked.CompareExchange(ref _blockedUntil, 0, until);
            return null;
        }

        if (!_byClient.TryGetValue(ClientKey.Of(client), out var failures))
        {
            return null;
        }

        lock (failures)
        {
            var ends = failures.Since + Window;
            return failures.Count >= MaxFailures && now < ends ? ends - now : null;
        }
    }

    /// <summary>Counts a wrong key from <paramref name="client"/>; true when this one made the address wait (log it then, once).</summary>
    public bool Failed(IPAddress? client)
    {
        if (!Enabled)
        {
            return false;
        }

        var now = _time.GetUtcNow();
        var key = ClientKey.Of(client);
        if (!_byClient.TryGetValue(key, out var failures))
        {
            if (_byClient.Count >= Capacity)
            {
                MakeRoom(now);
            }

            failures = _byClient.GetOrAdd(key, static (_, at) => new Failures { Since = at }, now);
        }

        DateTimeOffset ends;
        lock (failures)
        {
            if (now >= failures.Since + Window)
            {
                failures.Since = now;
                failures.Count = 0;
            }

            if (++failures.Count != MaxFailures)
            {
                return false;
            }

            ends = failures.Since + Window;
        }

        // Raise the mark to this block's end (it only ever moves later while blocks run).
        var current = Volatile.Read(ref _blockedUntil);
        while (current < ends.UtcTicks)
        {
            var seen = Interlocked.CompareExchange(ref _blockedUntil, ends.UtcTicks, current);
            if (seen == current)
            {
                break;
            }

            current = seen;
        }

        return true;
    }

    /// <summary>Forgets <paramref name="client"/>'s failures (the dashboard does after a successful sign-in).</summary>
    public void Succeeded(IPAddress? client) => _byClient.TryRemove(ClientKey.Of(client), out _);

    /// <summary>How <paramref name="client"/> is counted, for logs: the address, or its /64 network.</summary>
    public static string Describe(IPAddress? client) => ClientKey.Of(client).ToString();

    /// <summary>The window in words for an error message: "5 minutes", "1 minute", "90 seconds".</summary>
    public string DescribeWindow() =>
        Window.TotalMinutes >= 1 && Window.Seconds == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{Window.TotalMinutes:0} minute{(Window.TotalMinutes == 1 ? "" : "s")}")
            : string.Create(CultureInfo.InvariantCulture, $"{Window.TotalSeconds:0} seconds");

    // At capacity: forget windows that have ended, then, if that freed too little, the tenth of the addresses whose
    // windows started first (sorting once per tenth of the capacity keeps a flood of new addresses cheap).
    private void MakeRoom(DateTimeOffset now)
    {
        if (!_evicting.TryEnter())
        {
            return;
        }

        try
        {
            var byStart = new List<(DateTimeOffset Since, ClientKey Key)>(_byClient.Count);
            foreach (var (key, failures) in _byClient)
            {
                DateTimeOffset since;
                lock (failures)
                {
                    since = failures.Since;
                }

                if (now >= since + Window)
                {
                    _byClient.TryRemove(key, out _);
                }
                else
                {
                    byStart.Add((since, key));
                }
            }

            var excess = byStart.Count - (Capacity - Math.Max(1, Capacity / 10));
            if (excess <= 0)
            {
                return;
            }

            byStart.Sort(static (a, b) => a.Since.CompareTo(b.Since));
            foreach (var (_, key) in byStart.Take(excess))
            {
                _byClient.TryRemove(key, out _);
            }
        }
        finally
        {
            _evicting.Exit();
        }
    }

    private sealed class Failures
    {
        public DateTimeOffset Since { get; set; }

        public int Count { get; set; }
    }

    /// <summary>An address as counted: IPv4 (mapped into IPv6's ::ffff:0:0/96) or an IPv6 /64; no allocation.</summary>
    private readonly record struct ClientKey(UInt128 Value, bool Network)
    {
        public static ClientKey Of(IPAddress? client)
        {
            if (client is null)
            {
                return default;
            }

            if (client.IsIPv4MappedToIPv6)
            {
                client = client.MapToIPv4();
            }

            Span<byte> bytes = stackalloc byte[16];
            if (client.AddressFamily == AddressFamily.InterNetwork)
            {
                bytes[10] = 0xff;
                bytes[11] = 0xff;
                client.TryWriteBytes(bytes[12..], out _);
                return new ClientKey(BinaryPrimitives.ReadUInt128BigEndian(bytes), Network: false);
            }

            client.TryWriteBytes(bytes, out _);
            bytes[8..].Clear();
            return new ClientKey(BinaryPrimitives.ReadUInt128BigEndian(bytes), Network: true);
        }

        public override string ToString()
        {
            if (Value == UInt128.Zero && !Network)
            {
                return "unknown";
            }

            Span<byte> bytes = stackalloc byte[16];
            BinaryPrimitives.WriteUInt128BigEndian(bytes, Value);
            return Network ? new IPAddress(bytes) + "/64" : new IPAddress(bytes[12..]).ToString();
        }
    }
}
