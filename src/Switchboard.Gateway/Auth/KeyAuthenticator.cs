using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Data.Keys;
using Switchboard.Identity;
using Switchboard.Text;

namespace Switchboard.Gateway.Auth;

/// <summary>
/// Turns a presented key into a <see cref="CallerIdentity"/>. The master key is compared in constant time (as
/// SHA-256 digests). A virtual key is looked up in an in-memory cache of the database's recent answers, so the
/// hot path costs neither a database round trip nor a hash: only a miss hashes the key (HMAC-SHA-256) and asks
/// the database, which matches the hash and is checked again in constant time. An entry is trusted for
/// <c>auth.key_cache_ttl</c>: a revoke reaches every replica within it. Concurrent misses for one key share
/// one query; when the database cannot answer, a key verified before keeps working on its last answer.
/// </summary>
public sealed partial class KeyAuthenticator
{
    // Bounds memory against a flood of random keys: an attacker can make entries, not keep them.
    private const int MaxEntries = 100_000;

    private readonly KeyStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly byte[]? _masterHash;
    private readonly bool _masterIsVirtualFormat;
    private readonly TimeSpan _ttl;
    // Keyed by the presented key: a hit is one string lookup. Entries exist only for keys presented in the
    // last TTL (unknown ones included), which the process holds in its request buffers anyway.
    private readonly ConcurrentDictionary<string, Entry> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, GlobPattern> _globs = new(StringComparer.Ordinal);

    public KeyAuthenticator(IOptions<AuthOptions> options, KeyStore store, TimeProvider timeProvider, ILogger<KeyAuthenticator> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _time = timeProvider;
        _logger = logger;
        _ttl = options.Value.KeyCacheTtl;
        if (options.Value.Enabled)
        {
            _masterHash = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.MasterKey!));
            _masterIsVirtualFormat = options.Value.MasterKey!.StartsWith(KeyHasher.KeyPrefix, StringComparison.Ordinal);
        }
    }

    /// <summary>True when calls must present a key (a master key is configured).</summary>
    public bool Enabled => _masterHash is not null;

    /// <summary>The key from <c>Authorization: Bearer KEY</c>, else from <c>api-key</c>; null when neither carries one.</summary>
    public static string? ExtractKey(string? authorization, string? apiKey)
    {
        if (authorization is { Length: > 7 } && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var key = authorization.AsSpan(7).Trim();
            if (!key.IsEmpty)
            {
                return key.Length == authorization.Length - 7 ? authorization[7..] : key.ToString();
            }
        }

        return string.IsNullOrWhiteSpace(apiKey) ? null : apiKey.Trim();
    }

    /// <summary>Who presented <paramref name="key"/> (null when none was sent); no identity and no error when auth is off.</summary>
    public ValueTask<AuthResult> AuthenticateAsync(string? key, CancellationToken cancellationToken)
    {
        if (_masterHash is null)
        {
            return ValueTask.FromResult(default(AuthResult));
        }

        if (string.IsNullOrEmpty(key))
        {
            return ValueTask.FromResult(AuthResult.Denied(AuthErrors.Missing));
        }

        // Virtual keys have a public format the master key does not share, so only other keys pay for the digest.
        if ((_masterIsVirtualFormat || !key.StartsWith(KeyHasher.KeyPrefix, StringComparison.Ordinal)) && IsMasterKey(key))
        {
            return ValueTask.FromResult(AuthResult.Allowed(CallerIdentity.Master));
        }

        // Anything not shaped like a virtual key is refused without a lookup (and never fills the cache).
        if (key.Length != KeyHasher.KeyLength || !key.StartsWith(KeyHasher.KeyPrefix, StringComparison.Ordinal))
        {
            return ValueTask.FromResult(AuthResult.Denied(AuthErrors.Invalid));
        }

        var now = _time.GetUtcNow();
        if (_cache.TryGetValue(key, out var entry) && entry.Fresh(now) && entry.Result is { } cached)
        {
            return ValueTask.FromResult(Verify(cached, now));
        }

        return LookUpAsync(key, now, cancellationToken);
    }

    /// <summary>
    /// Whether <paramref name="key"/> is a virtual key this process verified (found, not revoked, not expired at
    /// its last lookup, which may be older than <c>auth.key_cache_ttl</c>); no database is asked. The throttle of
    /// wrong keys lets such keys through a refused address: a guess matches one only by guessing a whole random
    /// virtual key, so this reopens no guessing, and a team behind one address keeps working while one of its
    /// clients sends wrong keys. The master key is never answered here: it may be a weak one worth guessing.
    /// </summary>
    public bool WasVerified(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Length == KeyHasher.KeyLength
            && _cache.TryGetValue(key, out var entry)
            && (entry.Result ?? entry.Previous)?.Found is { RevokedAt: null } found
            && !(found.Key.ExpiresAt <= _time.GetUtcNow());
    }

    /// <summary>Whether <paramref name="key"/> is the master key, in time that does not depend on where they differ.</summary>
    public bool IsMasterKey(string? key)
    {
        if (_masterHash is null || string.IsNullOrEmpty(key))
        {
            return false;
        }

        Span<byte> presented = stackalloc byte[32];
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        var buffer = max <= 512 ? stackalloc byte[512] : new byte[max];
        SHA256.HashData(buffer[..Encoding.UTF8.GetBytes(key, buffer)], presented);
        return CryptographicOperations.FixedTimeEquals(presented, _masterHash);
    }

    /// <summary>Whether <paramref name="identity"/> may call <paramref name="model"/> (always, without a key or its model list).</summary>
    public bool IsModelAllowed(CallerIdentity? identity, string model)
    {
        if (identity?.Key is not { AllowedModels.Count: > 0 } key)
        {
            return true;
        }

        foreach (var pattern in key.AllowedModels)
        {
            if (Glob(pattern).IsMatch(model))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Forgets every cached answer (after a revoke through this process's admin API, say).</summary>
    public void Invalidate() => _cache.Clear();

    private async ValueTask<AuthResult> LookUpAsync(string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        while (true)
        {
            _cache.TryGetValue(key, out var current);
            if (current is not null && current.Fresh(now) && current.Result is { } done)
            {
                return Verify(done, now);
            }

            Entry mine;
            if (current is not null && !current.Pending.IsCompleted)
            {
                mine = current;
            }
            else
            {
                mine = new Entry(FetchAsync(key), now + _ttl, current?.Result ?? current?.Previous);
                var stored = current is null ? _cache.TryAdd(key, mine) : _cache.TryUpdate(key, mine, current);
                if (!stored)
                {
                    continue;
                }

                if (_cache.Count > MaxEntries)
                {
                    _cache.Clear();
                }
            }

            try
            {
                var lookup = await mine.Pending.WaitAsync(cancellationToken);
                return Verify(lookup, now);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                if (mine.Previous is { } stale)
                {
                    return Verify(stale, now);
                }

                Log.KeyStoreUnavailable(_logger, ex.GetBaseException().Message);
                return AuthResult.Denied(AuthErrors.Unavailable);
            }
        }
    }

    private async Task<Lookup> FetchAsync(string key)
    {
        var hash = KeyHasher.Hash(key);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var found = await _store.FindByHashAsync(hash, timeout.Token);
        // The database matched the hash by equality already; comparing again in constant time keeps that the
        // only comparison whose timing an attacker could see, and it compares hashes, not keys.
        return new Lookup(found is not null && CryptographicOperations.FixedTimeEquals(found.StoredHash, hash) ? found : null);
    }

    private static AuthResult Verify(Lookup lookup, DateTimeOffset now)
    {
        if (lookup.Found is not { } found)
        {
            return AuthResult.Denied(AuthErrors.Invalid);
        }

        if (found.RevokedAt is not null || found.Key.ExpiresAt <= now)
        {
            return AuthResult.Denied(AuthErrors.Invalid);
        }

        return AuthResult.Allowed(lookup.Identity!);
    }

    /// <summary>A database answer, with the identity made once for every request that presents the key.</summary>
    private sealed class Lookup(KeyLookup? found)
    {
        public KeyLookup? Found { get; } = found;

        public CallerIdentity? Identity { get; } = found is null ? null : CallerIdentity.Of(found.Key);
    }

    private sealed class Entry(Task<Lookup> pending, DateTimeOffset expires, Lookup? previous)
    {
        public Task<Lookup> Pending { get; } = pending;

        /// <summary>The last good answer, used when this lookup fails.</summary>
        public Lookup? Previous { get; } = previous;

        public Lookup? Result => Pending.IsCompletedSuccessfully ? Pending.Result : null;

        public bool Fresh(DateTimeOffset now) => now < expires;
    }

    private GlobPattern Glob(string pattern) =>
        _globs.Count < 10_000 ? _globs.GetOrAdd(pattern, static p => new GlobPattern(p)) : new GlobPattern(pattern);

    private static partial class Log
    {
        [LoggerMessage(EventId = 330, Level = LogLevel.Warning, Message = "Cannot verify an API key: the key store did not answer: {Problem}")]
        public static partial void KeyStoreUnavailable(ILogger logger, string problem);
    }
}
