using System.ClientModel;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Switchboard.Client.Http;

namespace Switchboard.Client;

/// <summary>
/// Turns whatever a failed call threw, together with what the HTTP layer saw, into an error value: one place that
/// knows the failure shapes of HTTP, sockets, the OpenAI SDK and OllamaSharp.
/// </summary>
internal static class LlmFailure
{
    private const int MaxQuotedBodyLength = 300;

    /// <summary>A failure with its kind and message; the caller adds model and time.</summary>
    public static LlmResponse Describe(Exception exception, HttpCallRecord? http, bool timedOut, TimeSpan timeout, Uri endpoint)
    {
        var target = http?.RequestUri ?? endpoint;
        if (timedOut)
        {
            return Failed(LlmErrorKind.Timeout, $"No answer from {target} within {Seconds(timeout)} (LlmClientOptions.Timeout, LLM_TIMEOUT).");
        }

        if (http?.StatusCode is { } status && (int)status >= 400)
        {
            return FromStatus((int)status, ServerMessage(http.ErrorBody), http.RetryAfter, target);
        }

        if (Find<HttpRequestException>(exception) is { } request)
        {
            return FromHttpRequestException(request, target);
        }

        if (Find<IOException>(exception) is { } io)
        {
            return Failed(LlmErrorKind.ConnectionFailed, $"The connection to {target.Authority} broke before the answer was complete: {io.Message}");
        }

        if (Find<ClientResultException>(exception) is { Status: > 0 } result)
        {
            // An OpenAI SDK client handed in by the caller, whose HTTP this library does not see.
            var raw = result.GetRawResponse();
            TimeSpan? retryAfter = raw?.Headers.TryGetValue("retry-after", out var header) == true && double.TryParse(header, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
                ? TimeSpan.FromSeconds(seconds)
                : null;
            return FromStatus(result.Status, ServerMessage(raw?.Content?.ToString()) ?? result.Message, retryAfter, target);
        }

        if (exception.GetType().Namespace?.StartsWith("OllamaSharp", StringComparison.Ordinal) == true)
        {
            // OllamaSharp's ResponseError: Ollama wrote {"error": ...} into an answer that had begun with 200.
            return Failed(LlmErrorKind.ServerError, $"{target.Authority} reported an error: {exception.Message}");
        }

        if (Find<JsonException>(exception) is { } json)
        {
            return Failed(LlmErrorKind.InvalidResponse, $"The answer from {target} is not valid JSON: {json.Message}");
        }

        if (http?.StatusCode is not null)
        {
            // The server answered with success, but what it said could not be read as a chat completion.
            return Failed(LlmErrorKind.InvalidResponse, $"The answer from {target} could not be read as a chat completion: {exception.Message}");
        }

        return Failed(LlmErrorKind.Unexpected, $"Calling {target} failed: {exception.GetType().Name}: {exception.Message}");
    }

    /// <summary>An HTTP error status, with the server's own message when it sent one.</summary>
    public static LlmResponse FromStatus(int status, string? serverMessage, TimeSpan? retryAfter, Uri target)
    {
        var said = string.IsNullOrWhiteSpace(serverMessage) ? string.Empty : ": " + serverMessage.Trim().TrimEnd('.');
        var statusText = $"HTTP {status} {ReasonPhrase(status)}".TrimEnd();
        var when = retryAfter is { } wait ? $" Retry after {Seconds(wait)}." : string.Empty;
        if (status == 429)
        {
            return Failed(LlmErrorKind.RateLimited, $"Rate limited by {target.Authority} ({statusText}){said}.{when}", status, retryAfter);
        }

        var hint = status == 404 && !target.AbsolutePath.Contains("/v1/", StringComparison.Ordinal) && !target.AbsolutePath.Contains("/api/", StringComparison.Ordinal)
            ? " (an OpenAI-compatible BaseUrl usually ends in /v1)"
            : string.Empty;
        var kind = status >= 500 ? LlmErrorKind.ServerError : LlmErrorKind.ClientError;
        return Failed(kind, $"{statusText} from {target}{hint}{said}.{when}", status, status >= 500 ? retryAfter : null);
    }

    public static LlmResponse Failed(LlmErrorKind kind, string error, int? status = null, TimeSpan? retryAfter = null) => new()
    {
        Success = false,
        ErrorKind = kind,
        Error = error,
        StatusCode = status,
        RetryAfter = retryAfter,
    };

    private static LlmResponse FromHttpRequestException(HttpRequestException request, Uri target)
    {
        if (request.StatusCode is { } status)
        {
            return FromStatus((int)status, null, null, target);
        }

        var socket = Find<SocketException>(request);
        if (request.HttpRequestError == HttpRequestError.NameResolutionError
            || socket?.SocketErrorCode is SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData)
        {
            return Failed(LlmErrorKind.HostNotFound, $"The host '{target.Host}' could not be found (DNS). Check the BaseUrl (LLM_BASE_URL).");
        }

        if (socket?.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return Failed(LlmErrorKind.ConnectionFailed, $"Connection refused by {target.Authority}: is the server running, and is the BaseUrl (LLM_BASE_URL) right?");
        }

        if (socket?.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            return Failed(LlmErrorKind.ConnectionFailed, $"{target.Authority} reset the connection before the answer was complete.");
        }

        return request.HttpRequestError switch
        {
            HttpRequestError.ResponseEnded => Failed(LlmErrorKind.ConnectionFailed, $"{target.Authority} closed the connection before the answer was complete."),
            HttpRequestError.SecureConnectionError => Failed(LlmErrorKind.ConnectionFailed, $"No secure connection to {target.Authority}: {Innermost(request).Message}"),
            HttpRequestError.InvalidResponse => Failed(LlmErrorKind.InvalidResponse, $"{target.Authority} did not answer with valid HTTP: {Innermost(request).Message}"),
            _ => Failed(LlmErrorKind.ConnectionFailed, $"Could not reach {target.Authority}: {Innermost(request).Message}"),
        };
    }

    /// <summary>The <c>message</c> of an OpenAI error object, Ollama's <c>error</c> string, or the start of any other body.</summary>
    internal static string? ServerMessage(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.String)
                {
                    return error.GetString();
                }

                if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                {
                    return message.GetString();
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (an HTML error page, a proxy's text): quote its start below.
        }

        var text = body.Trim();
        return text.Length <= MaxQuotedBodyLength ? text : string.Concat(text.AsSpan(0, MaxQuotedBodyLength), "…");
    }

    private static T? Find<T>(Exception exception)
        where T : Exception
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null)
        {
            exception = exception.InnerException;
        }

        return exception;
    }

    private static string ReasonPhrase(int status) =>
        Enum.IsDefined(typeof(HttpStatusCode), status) ? SplitWords(((HttpStatusCode)status).ToString()) : string.Empty;

    private static string SplitWords(string name) =>
        string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) ? " " + c : c.ToString()));

    internal static string Seconds(TimeSpan span) =>
        span == System.Threading.Timeout.InfiniteTimeSpan ? "no limit"
        : span.TotalSeconds >= 1 ? $"{span.TotalSeconds:0.#} s"
        : $"{span.TotalMilliseconds:0} ms";
}
