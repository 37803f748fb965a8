using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Switchboard.Errors;
using Switchboard.Gateway.Auth;
using Switchboard.Hosting.Http;

namespace Switchboard.Gateway.Telemetry;

/// <summary>
/// Who may read the operator's views (the dashboard's API, the Prometheus endpoint on the public port): the
/// holder of the master key (<c>Authorization: Bearer</c> or <c>api-key</c>) or of a dashboard session signed in with it
/// (<see cref="DashboardSessions"/>); with no master key, callers on the loopback interface only.
/// </summary>
public sealed class AdminAccess
{
    /// <summary>The environment variable the master key is read from.</summary>
    public const string MasterKeyVariable = "SWITCHBOARD_MASTER_KEY";

    private readonly byte[]? _masterKeyHash;
    private readonly DashboardSessions? _sessions;

    /// <param name="masterKey">The master key; null or empty when the gateway has none.</param>
    /// <param name="sessions">The dashboard's sign-ins, which open these views too; null for none.</param>
    public AdminAccess(string? masterKey, DashboardSessions? sessions = null)
    {
        _masterKeyHash = string.IsNullOrEmpty(masterKey) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(masterKey));
        _sessions = sessions;
    }

    /// <summary>True when a master key is configured (the dashboard then asks for it).</summary>
    public bool RequiresKey => _masterKeyHash is not null;

    /// <summary>True when the request may read admin views.</summary>
    public bool IsAllowed(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (_masterKeyHash is null)
        {
            return http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote);
        }

        // Read as every other endpoint reads a key (api-key too), so the throttle of wrong keys counts what was judged.
        var key = KeyAuthenticator.ExtractKey(http.Request.Headers.Authorization, http.Request.Headers["api-key"]);
        return key is null ? _sessions?.IsSignedIn(http) == true : IsMasterKey(key);
    }

    /// <summary>True when <paramref name="key"/> is the master key (false when there is none).</summary>
    public bool IsMasterKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_masterKeyHash is null)
        {
            return false;
        }

        // Hashes compared in constant time: neither the key's length nor its prefix leaks through timing.
        var sent = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        return CryptographicOperations.FixedTimeEquals(sent, _masterKeyHash);
    }

    /// <summary>Answers 401 (no or wrong key) or 403 (not loopback) in the OpenAI error shape.</summary>
    public Task DenyAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var error = RequiresKey
            ? new GatewayError { StatusCode = 401, Type = ErrorTypes.Authentication, Code = "invalid_api_key", Message = "This endpoint needs the master key: send it as 'Authorization: Bearer <key>', or sign in to the dashboard at /ui." }
            : new GatewayError { StatusCode = 403, Type = ErrorTypes.Permission, Code = "forbidden", Message = "Without a master key this endpoint answers loopback callers only; set SWITCHBOARD_MASTER_KEY to reach it from elsewhere." };
        return OpenAIResponseWriter.WriteErrorAsync(http.Response, error, http.RequestAborted);
    }
}
