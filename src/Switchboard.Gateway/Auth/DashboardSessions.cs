using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Gateway.Auth;

/// <summary>
/// The dashboard's sign-in: after the master key is checked once (<c>POST /ui/api/login</c>), the browser holds a
/// short-lived cookie instead of the key (HttpOnly, so no script can read it; SameSite=Strict, so no other site can
/// send it; Secure when the request came over HTTPS, as a trusted proxy's <c>X-Forwarded-Proto</c> can say). The
/// cookie is the expiry and a random id, signed with HMAC-SHA256 under a secret derived from the master key (PBKDF2,
/// slow on purpose: a cookie must not be a cheap test of guesses at the key): every replica with the same master key
/// accepts it, a restart keeps it, and rotating the master key signs everyone out. Signing out is remembered by the
/// replica that saw it (the browser drops the cookie; a copy kept elsewhere works on other replicas until it expires).
/// Without a master key the dashboard needs no sign-in and the secret is random. A cookie
/// opens what the master key opens to a browser: <c>/ui/api</c>, <c>/admin</c>, conversations, <c>/metrics</c>; never
/// the inference endpoints. Requests that change something must also carry <see cref="CsrfHeader"/>, which a
/// form on another site cannot add.
/// </summary>
public sealed class DashboardSessions
{
    /// <summary>The cookie's name.</summary>
    public const string CookieName = "switchboard_session";

    /// <summary>The header a signed-in browser sends with POST, PUT, PATCH and DELETE (any value).</summary>
    public const string CsrfHeader = "X-Switchboard-Dashboard";

    /// <summary>How long a session lasts without use; each use in its second half extends it by as much.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

    private const int IdBytes = 16;

    // OWASP's figure for PBKDF2-HMAC-SHA256. The salt is fixed so that replicas agree; it only separates this use of
    // the master key from any other.
    private const int KeyDerivationIterations = 600_000;
    private static readonly byte[] KeyDerivationSalt = "switchboard dashboard sessions v1"u8.ToArray();

    // Derived on first use: about 0.14 s of CPU (docs/decisions.md) that a gateway whose dashboard nobody opens never spends.
    private readonly Lazy<byte[]> _secret;
    private readonly TimeProvider _time;

    // Ids of sessions signed out before they expired, with their expiry (forgotten once past it).
    private readonly ConcurrentDictionary<string, DateTimeOffset> _signedOut = new(StringComparer.Ordinal);

    /// <param name="time">The clock sessions expire by.</param>
    /// <param name="masterKey">The gateway's master key (<c>auth.master_key</c>), which the signing secret is derived from; null or empty for a random one.</param>
    public DashboardSessions(TimeProvider time, string? masterKey)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _secret = new Lazy<byte[]>(
            () => string.IsNullOrEmpty(masterKey)
                ? RandomNumberGenerator.GetBytes(32)
                : Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(masterKey), KeyDerivationSalt, KeyDerivationIterations, HashAlgorithmName.SHA256, 32),
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// True when the request carries a valid session cookie (and, for a method that changes something, the
    /// <see cref="CsrfHeader"/>). Renews the cookie when it is past half its life and the answer has not started.
    /// </summary>
    public bool IsSignedIn(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!http.Request.Cookies.TryGetValue(CookieName, out var cookie) || !TryRead(cookie, out _, out var expires))
        {
            return false;
        }

        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method) && !http.Request.Headers.ContainsKey(CsrfHeader))
        {
            return false;
        }

        var now = _time.GetUtcNow();
        // The old cookie stays valid until it expires: the page's other requests in flight still carry it.
        if (expires - now < Lifetime / 2 && !http.Response.HasStarted)
        {
            Issue(http, now);
        }

        return true;
    }

    /// <summary>Starts a session: sets the cookie on the answer.</summary>
    public void SignIn(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        Issue(http, _time.GetUtcNow());
    }

    /// <summary>Ends the request's session, if any, here and in the browser.</summary>
    public void SignOut(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var now = _time.GetUtcNow();
        if (http.Request.Cookies.TryGetValue(CookieName, out var cookie) && TryRead(cookie, out var id, out var expires))
        {
            _signedOut[id] = expires;
        }

        foreach (var (old, until) in _signedOut)
        {
            if (until <= now)
            {
                _signedOut.TryRemove(old, out _);
            }
        }

        http.Response.Cookies.Delete(CookieName, Options(http, TimeSpan.Zero));
    }

    private void Issue(HttpContext http, DateTimeOffset now)
    {
        var expires = now + Lifetime;
        var payload = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + "." + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(IdBytes));
        http.Response.Cookies.Append(CookieName, payload + "." + Sign(payload), Options(http, Lifetime));
    }

    private bool TryRead(string cookie, out string id, out DateTimeOffset expires)
    {
        id = string.Empty;
        expires = default;
        var signatureAt = cookie.LastIndexOf('.');
        var idAt = cookie.IndexOf('.', StringComparison.Ordinal);
        if (signatureAt <= idAt || idAt <= 0)
        {
            return false;
        }

        var payload = cookie[..signatureAt];
        var expected = Encoding.ASCII.GetBytes(Sign(payload));
        var presented = Encoding.ASCII.GetBytes(cookie[(signatureAt + 1)..]);
        if (!CryptographicOperations.FixedTimeEquals(expected, presented)
            || !long.TryParse(cookie.AsSpan(0, idAt), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        expires = DateTimeOffset.FromUnixTimeSeconds(seconds);
        id = cookie[(idAt + 1)..signatureAt];
        return expires > _time.GetUtcNow() && !_signedOut.ContainsKey(id);
    }

    private string Sign(string payload) => Base64Url.EncodeToString(HMACSHA256.HashData(_secret.Value, Encoding.ASCII.GetBytes(payload)));

    // Max-Age rather than Expires: the browser counts from when it got the cookie, so clocks need not agree.
    private static CookieOptions Options(HttpContext http, TimeSpan maxAge) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = http.Request.IsHttps,
        Path = "/",
        MaxAge = maxAge,
        IsEssential = true,
    };
}
