using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Switchboard.Errors;
using Switchboard.Hosting.Http;

namespace Switchboard.Gateway.Telemetry;

/// <summary>
/// Who may read the operator's views (the dashboard's API, the Prometheus endpoint on the public port): the
/// holder of the master key (<c>Authorization: Bearer</c>); with no master key, callers on the loopback
/// interface only.
/// </summary>
public sealed class AdminAccess
{
    /// <summary>The environment variable the master key is read from.</summary>
    public const string MasterKeyVariable = "SWITCHBOARD_MASTER_KEY";

    private readonly byte[]? _masterKeyHash;

    /// <param name="masterKey">The master key; null or empty when the gateway has none.</param>
    public AdminAccess(string? masterKey)
    {
        _masterKeyHash = string.IsNullOrEmpty(masterKey) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(masterKey));
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

        var header = http.Request.Headers.Authorization.ToString();
        const string Bearer = "Bearer ";
        if (!header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // Hashes compared in constant time: neither the key's length nor its prefix leaks through timing.
        var sent = SHA256.HashData(Encoding.UTF8.GetBytes(header[Bearer.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(sent, _masterKeyHash);
    }

    /// <summary>Answers 401 (no or wrong key) or 403 (not loopback) in the OpenAI error shape.</summary>
    public Task DenyAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var error = RequiresKey
            ? new GatewayError { StatusCode = 401, Type = ErrorTypes.Authentication, Code = "invalid_api_key", Message = "This endpoint needs the master key: send it as 'Authorization: Bearer <key>'." }
            : new GatewayError { StatusCode = 403, Type = ErrorTypes.Permission, Code = "forbidden", Message = "Without a master key this endpoint answers loopback callers only; set SWITCHBOARD_MASTER_KEY to reach it from elsewhere." };
        return OpenAIResponseWriter.WriteErrorAsync(http.Response, error, http.RequestAborted);
    }
}
