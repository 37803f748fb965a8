using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Errors;
using Switchboard.Hosting.Http;

namespace Switchboard.Gateway.Auth;

/// <summary>
/// Limits wrong keys per client address on every endpoint (<c>/v1</c>, <c>/admin</c>, <c>/ui/api</c>,
/// <c>/metrics</c>, the conversations endpoints). A request that carries a key (<c>Authorization: Bearer</c> or
/// <c>api-key</c>) and is answered 401 counts against its address (<see cref="FailedKeyThrottle"/>, configured by
/// <c>auth.failed_key_*</c>): the gateway answers 401 only for a missing or refused key (an upstream's 401 becomes
/// 502), and every 401 goes through <see cref="OpenAIResponseWriter"/>, which tells this observer, so no endpoint
/// has to report its refusals and requests that are let in pay nothing for the counting. Once an address has had its
/// share, requests from it that carry a key get 429 before any endpoint sees them (<see cref="Refuse"/>, run by the
/// gateway's first middleware), so the key is not tried, unless it is a virtual key this process verified
/// (<see cref="KeyAuthenticator.WasVerified"/>). Requests without a key are neither counted nor refused: they guess
/// nothing. A right key answered 401 (a virtual key refused by <c>/admin</c> for not being the master key, a mock
/// fixture's injected 401) is not a wrong key.
/// <c>POST /ui/api/login</c> has its own, stricter throttle for the key in its body.
/// </summary>
public sealed partial class HeaderKeyThrottle : IUnauthorizedAnswerObserver
{
    private readonly FailedKeyThrottle _throttle;
    private readonly KeyAuthenticator _keys;
    private readonly ILogger _logger;

    /// <param name="throttle">The counts (off when its limit is 0).</param>
    /// <param name="keys">Knows which virtual keys were verified.</param>
    /// <param name="logger">One warning per address when it starts to wait.</param>
    public HeaderKeyThrottle(FailedKeyThrottle throttle, KeyAuthenticator keys, ILogger<HeaderKeyThrottle> logger)
    {
        ArgumentNullException.ThrowIfNull(throttle);
        ArgumentNullException.ThrowIfNull(keys);
        _throttle = throttle;
        _keys = keys;
        _logger = logger;
    }

    /// <summary>True when keys are checked (a master key is set) and the limit is not 0.</summary>
    public bool Enabled => _keys.Enabled && _throttle.Enabled;

    /// <summary>
    /// The 429 to answer instead of letting the request in, or null to let it in. While no address is refused this
    /// costs one volatile read; the address is looked up only then, and the key read only for a refused address.
    /// </summary>
    public Task? Refuse(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!_throttle.MayRefuse
            || _throttle.RetryAfter(http.Connection.RemoteIpAddress) is not { } wait
            || KeyOf(http) is not { } key
            || _keys.WasVerified(key))
        {
            return null;
        }

        var error = GatewayError.RateLimited(
            string.Create(CultureInfo.InvariantCulture, $"Too many wrong API keys from this address ({_throttle.MaxFailures} within {_throttle.DescribeWindow()}); keys sent from it are not checked for {Math.Max(1, Math.Ceiling(wait.TotalSeconds)):0} more seconds."),
            wait);
        return OpenAIResponseWriter.WriteErrorAsync(http.Response, error, http.RequestAborted);
    }

    /// <inheritdoc />
    public void Answered(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!Enabled
            || KeyOf(http) is not { } key
            || http.Request.Path.StartsWithSegments("/ui/api/login", StringComparison.OrdinalIgnoreCase)
            || _keys.WasVerified(key)
            || _keys.IsMasterKey(key))
        {
            // A right key answered 401 is no guess: a virtual key refused by the admin API, or a model's own 401 that
            // reached the client as it was (the mock provider's injected faults do).
            return;
        }

        var client = http.Connection.RemoteIpAddress;
        if (_throttle.Failed(client))
        {
            Log.Throttled(_logger, FailedKeyThrottle.Describe(client), _throttle.MaxFailures, _throttle.Window);
        }
    }

    private static string? KeyOf(HttpContext http)
    {
        var headers = http.Request.Headers;
        return KeyAuthenticator.ExtractKey(headers.Authorization, headers["api-key"]);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 331, Level = LogLevel.Warning, Message = "Wrong API keys from {Client}: {Failures} within {Window}; keys it sends get 429 until that window ends")]
        public static partial void Throttled(ILogger logger, string client, int failures, TimeSpan window);
    }
}
