using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Errors;
using Switchboard.Hosting.Http;

namespace Switchboard.Gateway.Auth;

/// <summary>
/// Limits wrong keys per client address on every endpoint (<c>/v1</c>, <c>/admin</c>, <c>/ui/api</c>,
/// <c>/metrics</c>, the conversations endpoints): a request that carries a key (<c>Authorization: Bearer</c> or
/// <c>api-key</c>) and is answered 401 counts against its address (<see cref="FailedKeyThrottle"/>, configured by
/// <c>auth.failed_key_*</c>); once the address has had its share, requests from it that carry a key get 429 before
/// any endpoint sees them, so the key is not tried, unless the key is a virtual key this process verified
/// (<see cref="KeyAuthenticator.WasVerified"/>). The gateway answers 401 only for a missing or refused key (an
/// upstream's 401 becomes 502), so the status is the signal and no endpoint has to report its refusals.
/// Requests without a key are neither counted nor refused: they guess nothing. A virtual key answered 401 for
/// not being the master key (<c>/admin</c>) is not a wrong key. <c>POST /ui/api/login</c> has its own, stricter
/// throttle for the key in its body.
/// </summary>
public sealed partial class KeyThrottleMiddleware
{
    private readonly RequestDelegate _next;
    private readonly FailedKeyThrottle _throttle;
    private readonly KeyAuthenticator _keys;
    private readonly ILogger _logger;

    public KeyThrottleMiddleware(RequestDelegate next, FailedKeyThrottle throttle, KeyAuthenticator keys, ILogger<KeyThrottleMiddleware> logger)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(throttle);
        ArgumentNullException.ThrowIfNull(keys);
        _next = next;
        _throttle = throttle;
        _keys = keys;
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);

        // While no address is refused this costs one volatile read: the key is not even read from the headers.
        if (_throttle.MayRefuse && KeyOf(http) is { } key && _throttle.RetryAfter(http.Connection.RemoteIpAddress) is { } wait && !_keys.WasVerified(key))
        {
            return RefuseAsync(http, wait);
        }

        var pending = _next(http);
        if (pending.IsCompletedSuccessfully)
        {
            Count(http);
            return Task.CompletedTask;
        }

        return CountAfterAsync(pending, http);
    }

    private async Task CountAfterAsync(Task pending, HttpContext http)
    {
        await pending;
        Count(http);
    }

    private void Count(HttpContext http)
    {
        if (http.Response.StatusCode != StatusCodes.Status401Unauthorized
            || KeyOf(http) is not { } key
            || http.Request.Path.StartsWithSegments("/ui/api/login", StringComparison.OrdinalIgnoreCase)
            || _keys.WasVerified(key))
        {
            return;
        }

        var client = http.Connection.RemoteIpAddress;
        if (_throttle.Failed(client))
        {
            Log.Throttled(_logger, FailedKeyThrottle.Describe(client), _throttle.MaxFailures, _throttle.Window);
        }
    }

    private Task RefuseAsync(HttpContext http, TimeSpan wait)
    {
        var error = GatewayError.RateLimited(
            string.Create(CultureInfo.InvariantCulture, $"Too many wrong API keys from this address ({_throttle.MaxFailures} within {Describe(_throttle.Window)}); keys sent from it are not checked for {Math.Max(1, Math.Ceiling(wait.TotalSeconds)):0} more seconds."),
            wait);
        return OpenAIResponseWriter.WriteErrorAsync(http.Response, error, http.RequestAborted);
    }

    private static string? KeyOf(HttpContext http)
    {
        var headers = http.Request.Headers;
        return KeyAuthenticator.ExtractKey(headers.Authorization, headers["api-key"]);
    }

    private static string Describe(TimeSpan window) =>
        window.TotalMinutes >= 1 && window.Seconds == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{window.TotalMinutes:0} minute{(window.TotalMinutes == 1 ? "" : "s")}")
            : string.Create(CultureInfo.InvariantCulture, $"{window.TotalSeconds:0} seconds");

    private static partial class Log
    {
        [LoggerMessage(EventId = 331, Level = LogLevel.Warning, Message = "Wrong API keys from {Client}: {Failures} within {Window}; keys it sends get 429 until that window ends")]
        public static partial void Throttled(ILogger logger, string client, int failures, TimeSpan window);
    }
}
