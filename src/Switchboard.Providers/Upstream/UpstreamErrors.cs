using System.Globalization;
using System.Net.Sockets;
using Switchboard.Errors;

namespace Switchboard.Providers.Upstream;

/// <summary>
/// Turns what went wrong with an upstream call into the error the client sees. One table for every provider
/// kind, so an OpenAI-compatible server and Ollama fail the same way:
/// <list type="table">
/// <item><term>400 / 413 / 422</term><description>400 <c>invalid_request_error</c> with the upstream's own message (read from its JSON, never the raw body).</description></item>
/// <item><term>401 / 403</term><description>502: the upstream refused the gateway's credentials; the client's key is not the problem.</description></item>
/// <item><term>401, 403, 404, 3xx</term><description>are also marked <see cref="GatewayError.Misconfigured"/>: the router does not ask the same deployment again.</description></item>
/// <item><term>404</term><description>502 naming provider and model when the upstream says the model is missing (it is the gateway's
/// mapping that points at a model the upstream lacks, not the client asking for an unknown model); 502 pointing at <c>base_url</c> otherwise.</description></item>
/// <item><term>408</term><description>504.</description></item>
/// <item><term>429</term><description>429 with <c>retry-after</c> passed on.</description></item>
/// <item><term>503</term><description>503 with <c>retry-after</c> passed on.</description></item>
/// <item><term>other 5xx, 3xx, other 4xx</term><description>502.</description></item>
/// <item><term>refused / DNS / TLS / connect timeout</term><description>503 <c>upstream_unavailable</c> naming the provider.</description></item>
/// <item><term>timeout</term><description>504.</description></item>
/// <item><term>invalid JSON</term><description>502.</description></item>
/// </list>
/// Upstream messages are shown only for 4xx answers about the request itself; 5xx and 429 messages can carry
/// internals or account details of the gateway's upstream account, so they are logged, not forwarded.
/// </summary>
internal static class UpstreamErrors
{
    public static GatewayError FromStatus(string provider, string? model, int status, UpstreamErrorDetail detail, TimeSpan? retryAfter, string path)
    {
        switch (status)
        {
            case 400 or 413 or 422:
                return GatewayError.InvalidRequest(
                    detail.Message ?? $"The upstream '{provider}' rejected the request as invalid (HTTP {status}).",
                    detail.Param,
                    detail.Code);
            case 401 or 403:
                return GatewayError.BadGateway(
                    $"The upstream '{provider}' rejected the gateway's credentials (HTTP {status}). This is a problem with the gateway's configuration " +
                    $"(providers[{provider}].api_key), not with your API key.",
                    ProviderErrorCodes.UpstreamAuthenticationFailed) with { Misconfigured = true };
            case 404 when IsModelNotFound(detail, model):
                return GatewayError.BadGateway(
                    $"The upstream '{provider}' does not have the model '{model}' (HTTP 404). The gateway routes this request to that model; " +
                    "the model must be made available upstream (for Ollama: 'ollama pull') or the gateway's model mapping corrected.",
                    ProviderErrorCodes.UpstreamModelNotFound) with { Misconfigured = true };
            case 404:
                return GatewayError.BadGateway(
                    $"The upstream '{provider}' answered 404 Not Found for {path}; check providers[{provider}].base_url.") with { Misconfigured = true };
            case 408:
                return GatewayError.GatewayTimeout($"The upstream '{provider}' timed out handling the request (HTTP 408).");
            case 429:
                return new GatewayError
                {
                    StatusCode = 429,
                    Type = ErrorTypes.RateLimit,
                    Message = $"The upstream '{provider}' is rate limiting requests. Retry later.",
                    Code = ErrorCodes.RateLimitExceeded,
                    RetryAfter = retryAfter,
                };
            case 503:
                return GatewayError.Unavailable($"The upstream '{provider}' is temporarily unavailable (HTTP 503). Retry later.", retryAfter: retryAfter);
            case >= 500:
                return GatewayError.BadGateway($"The upstream '{provider}' failed with HTTP {status}.");
            case >= 300 and < 400:
                return GatewayError.BadGateway($"The upstream '{provider}' redirected the request (HTTP {status}); check providers[{provider}].base_url.") with { Misconfigured = true };
            default:
                return GatewayError.BadGateway($"The upstream '{provider}' refused the request with HTTP {status}.");
        }
    }

    public static GatewayError Timeout(string provider, TimeSpan timeout) =>
        GatewayError.GatewayTimeout($"The upstream '{provider}' did not answer within {FormatDuration(timeout)}.");

    public static GatewayError InvalidJson(string provider) =>
        GatewayError.BadGateway($"The upstream '{provider}' sent a response that is not valid JSON of the expected shape.", ProviderErrorCodes.UpstreamInvalidResponse);

    /// <summary>Maps a transport failure before any answer was read: unreachable hosts are 503, a broken answer 502.</summary>
    public static GatewayError FromTransport(string provider, Exception exception) => exception switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } =>
            Unreachable(provider, "its host name could not be resolved"),
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } ex when IsSocket(ex, SocketError.ConnectionRefused) =>
            Unreachable(provider, "the connection was refused"),
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } =>
            Unreachable(provider, "the connection could not be established"),
        HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } =>
            Unreachable(provider, "the TLS handshake failed"),
        HttpRequestException { HttpRequestError: HttpRequestError.ProxyTunnelError } =>
            Unreachable(provider, "the proxy refused the connection"),
        OperationCanceledException { InnerException: TimeoutException } =>
            Unreachable(provider, "connecting timed out"),
        _ => GatewayError.BadGateway($"The upstream '{provider}' broke off the connection or sent an invalid HTTP response."),
    };

    /// <summary>Reads <c>retry-after-ms</c> (OpenAI) or <c>retry-after</c> (seconds or an HTTP date).</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider timeProvider)
    {
        if (response.Headers.TryGetValues("retry-after-ms", out var values)
            && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms)
            && ms >= 0)
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        return response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => Max(date - timeProvider.GetUtcNow(), TimeSpan.Zero),
            _ => null,
        };
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static GatewayError Unreachable(string provider, string why) =>
        GatewayError.Unavailable($"The upstream '{provider}' could not be reached: {why}.");

    private static bool IsSocket(Exception exception, SocketError error)
    {
        for (var e = exception.InnerException; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket && socket.SocketErrorCode == error)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsModelNotFound(UpstreamErrorDetail detail, string? model)
    {
        if (detail.Code is "model_not_found")
        {
            return true;
        }

        var message = detail.Message;
        return message is not null
            && message.Contains("model", StringComparison.OrdinalIgnoreCase)
            && (message.Contains("not found", StringComparison.OrdinalIgnoreCase)
                || message.Contains("does not exist", StringComparison.OrdinalIgnoreCase)
                || (model is not null && message.Contains(model, StringComparison.Ordinal)));
    }

    private static string FormatDuration(TimeSpan duration) =>
        duration.TotalSeconds >= 1 && duration.Milliseconds == 0
            ? $"{duration.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s"
            : $"{duration.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms";
}
