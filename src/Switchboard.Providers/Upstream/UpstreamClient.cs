using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Switchboard.Errors;
using Switchboard.OpenAI;

namespace Switchboard.Providers.Upstream;

/// <summary>
/// The HTTP side every provider shares: builds requests with the configured credentials and headers, applies
/// the provider's timeout, maps every failure to a <see cref="GatewayError"/> and logs it.
/// </summary>
internal sealed partial class UpstreamClient
{
    /// <summary>Used when a provider has no <c>timeout</c>: generous, since local models can be slow to load.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(600);

    /// <summary>Readiness probes must answer quickly whatever the chat timeout is.</summary>
    public static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(10);

    private const int MaxErrorBodyBytes = 64 * 1024;

    private readonly HttpClient _http;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly KeyValuePair<string, string>[] _headers;

    public UpstreamClient(ProviderOptions options, HttpClient httpClient, TimeProvider timeProvider, ILogger logger)
    {
        _http = httpClient;
        _timeProvider = timeProvider;
        _logger = logger;
        ProviderName = options.Name;
        Timeout = options.Timeout is { } timeout && timeout > TimeSpan.Zero ? timeout : DefaultTimeout;
        _headers = BuildHeaders(options);
    }

    public string ProviderName { get; }

    /// <summary>How long a whole non-streamed call, or a stream's time to its response headers, may take.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Joins the base URL and a path (<c>chat/completions</c>) the way the OpenAI SDKs do: by appending.</summary>
    public static Uri Combine(string baseUrl, string relativePath) =>
        new(baseUrl.TrimEnd('/') + "/" + relativePath.TrimStart('/'), UriKind.Absolute);

    /// <summary>A request with the provider's credentials and headers; <paramref name="body"/> becomes its JSON content.</summary>
    public HttpRequestMessage CreateRequest<T>(HttpMethod method, Uri uri, T body, JsonTypeInfo<T> typeInfo) =>
        CreateRequest(method, uri, JsonSerializer.SerializeToUtf8Bytes(body, typeInfo));

    /// <summary>A request with the provider's credentials and headers and <paramref name="utf8Json"/> as its body.</summary>
    public HttpRequestMessage CreateRequest(HttpMethod method, Uri uri, ReadOnlyMemory<byte> utf8Json)
    {
        var request = CreateRequest(method, uri);
        var content = new ReadOnlyMemoryContent(utf8Json);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        request.Content = content;
        return request;
    }

    public HttpRequestMessage CreateRequest(HttpMethod method, Uri uri)
    {
        var request = new HttpRequestMessage(method, uri);
        foreach (var (name, value) in _headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    /// <summary>
    /// Sends a request and parses the whole JSON answer, all within <see cref="Timeout"/>. A cancelled
    /// <paramref name="cancellationToken"/> (the client went away) throws; every other failure is a result.
    /// </summary>
    public async ValueTask<UpstreamResult<T>> SendJsonAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> typeInfo, string? model, CancellationToken cancellationToken)
        where T : class =>
        await SendAsync(request, model, Timeout, cancellationToken, (response, token) => ReadJsonAsync(response, typeInfo, token));

    /// <summary>Sends a request and keeps only whether it succeeded, within <paramref name="timeout"/>.</summary>
    public async ValueTask<GatewayError?> ProbeAsync(HttpRequestMessage request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await SendAsync(request, null, timeout, cancellationToken, static (_, _) => ValueTask.FromResult(UpstreamResult<object>.Success(true)));
        return result.Error;
    }

    /// <summary>
    /// Sends a request whose answer is a stream and returns the response once its headers say success. The
    /// timeout covers only the time to the headers; the caller owns (and must dispose) the response.
    /// </summary>
    public async ValueTask<UpstreamResult<HttpResponseMessage>> StartStreamAsync(HttpRequestMessage request, string? model, CancellationToken cancellationToken)
    {
        return await SendAsync(request, model, Timeout, cancellationToken, static (response, _) => ValueTask.FromResult(UpstreamResult<HttpResponseMessage>.Success(response)), keepResponse: true);
    }

    private static bool IsIdleTimeout(CancellationTokenSource idle, CancellationToken callToken, CancellationToken enumeratorToken) =>
        idle.IsCancellationRequested && !callToken.IsCancellationRequested && !enumeratorToken.IsCancellationRequested;

    private ChatStreamException IdleTimeout(Exception exception, string? model, bool started)
    {
        var failure = new ChatStreamException(GatewayError.GatewayTimeout(
            $"The upstream '{ProviderName}' sent nothing for {Timeout.TotalSeconds:0.#} s in the middle of a stream."), exception);
        LogStreamFailure(failure, exception, model, started);
        return failure;
    }

    /// <summary>
    /// Turns a failure while reading a stream that already started into the exception the stream writer expects.
    /// <paramref name="started"/>: the stream had already handed on an item.
    /// </summary>
    public ChatStreamException StreamFailure(Exception exception, string? model = null, bool started = false)
    {
        var failure = exception switch
        {
            // The upstream's own words go to the log, not to the client (as with a 5xx body).
            ChatStreamException { Error.UpstreamMessage: not null } stream => new ChatStreamException(
                stream.Error with { Message = $"The upstream '{ProviderName}' reported an error in the middle of the stream." },
                stream),
            ChatStreamException stream => stream,
            JsonException => new ChatStreamException(GatewayError.BadGateway(
                $"The upstream '{ProviderName}' sent a stream event that is not valid JSON.", ProviderErrorCodes.UpstreamInvalidResponse), exception),
            _ => new ChatStreamException(GatewayError.BadGateway($"The upstream '{ProviderName}' broke off the stream."), exception),
        };
        LogStreamFailure(failure, exception, model, started);
        return failure;
    }

    /// <summary>
    /// A failure before the stream's first item is the router's to log, with the attempt it belongs to (it may
    /// retry); one after it reaches nobody else, so it is logged here: one line, the exception only at Debug.
    /// </summary>
    private void LogStreamFailure(ChatStreamException failure, Exception cause, string? model, bool started)
    {
        if (started)
        {
            var error = failure.Error;
            Log.StreamBrokeOff(_logger, ProviderName, ProviderName + "/" + model, error.UpstreamMessage is { Length: > 0 } said ? error.Message + " Upstream said: " + said : error.Message);
        }

        Log.StreamFailureDetail(_logger, ProviderName, cause);
    }

    /// <summary>
    /// Reads a started stream through <paramref name="read"/>, one item at a time as the upstream sends it.
    /// The response is disposed when enumeration ends, fails or is cancelled; cancelling either token (the
    /// call's or the enumerator's, e.g. the client disconnecting) aborts the upstream request. Failures other
    /// than cancellation surface as <see cref="ChatStreamException"/>.
    /// </summary>
    public async IAsyncEnumerable<T> ReadStreamAsync<T>(
        HttpResponseMessage response,
        string? model,
        Func<Stream, CancellationToken, IAsyncEnumerable<T>> read,
        CancellationToken callToken,
        [EnumeratorCancellation] CancellationToken enumeratorToken = default)
    {
        // A stream that goes quiet for longer than the timeout is abandoned: re-armed after every item.
        using var idle = new CancellationTokenSource(Timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(callToken, enumeratorToken, idle.Token);
        var token = linked.Token;
        try
        {
            IAsyncEnumerator<T> items;
            try
            {
                var body = await response.Content.ReadAsStreamAsync(token);
                items = read(body, token).GetAsyncEnumerator(token);
            }
            catch (Exception ex) when (!token.IsCancellationRequested)
            {
                throw StreamFailure(ex, model);
            }
            catch (OperationCanceledException ex) when (IsIdleTimeout(idle, callToken, enumeratorToken))
            {
                throw IdleTimeout(ex, model, started: false);
            }

            var started = false;
            await using (items)
            {
                while (true)
                {
                    bool more;
                    try
                    {
                        more = await items.MoveNextAsync();
                    }
                    catch (Exception ex) when (!token.IsCancellationRequested)
                    {
                        throw StreamFailure(ex, model, started);
                    }
                    catch (OperationCanceledException ex) when (IsIdleTimeout(idle, callToken, enumeratorToken))
                    {
                        throw IdleTimeout(ex, model, started);
                    }

                    if (!more)
                    {
                        yield break;
                    }

                    idle.CancelAfter(Timeout);
                    started = true;
                    yield return items.Current;
                }
            }
        }
        finally
        {
            response.RequestMessage?.Dispose();
            response.Dispose();
        }
    }

    /// <summary>Logs and returns the error for an answer that has the right status but the wrong content.</summary>
    public GatewayError InvalidResponse(Exception? exception)
    {
        Log.InvalidResponse(_logger, ProviderName, exception);
        return UpstreamErrors.InvalidJson(ProviderName);
    }

    private async ValueTask<UpstreamResult<T>> SendAsync<T>(
        HttpRequestMessage request,
        string? model,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        Func<HttpResponseMessage, CancellationToken, ValueTask<UpstreamResult<T>>> onSuccess,
        bool keepResponse = false)
        where T : class
    {
        using var timeoutSource = new CancellationTokenSource(timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        HttpResponseMessage? response = null;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            if (!response.IsSuccessStatusCode)
            {
                return await ReadErrorAsync(request, response, model, linked.Token);
            }

            var result = await onSuccess(response, linked.Token);
            if (keepResponse && result.Error is null)
            {
                response = null;
            }

            return result;
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Log.TimedOut(_logger, ProviderName, request.RequestUri, timeout);
            return UpstreamErrors.Timeout(ProviderName, timeout);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            Log.Unreachable(_logger, ProviderName, request.RequestUri, ex);
            return UpstreamErrors.FromTransport(ProviderName, ex);
        }
        finally
        {
            response?.Dispose();
        }
    }

    private async ValueTask<UpstreamResult<T>> ReadJsonAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        try
        {
            var value = JsonSerializer.Deserialize(body, typeInfo);
            if (value is IWireObject { CarriesError: true })
            {
                return ErrorInSuccess(body) ?? InvalidResponse(null);
            }

            if (value is not null)
            {
                return UpstreamResult<T>.Success(value, body);
            }
        }
        catch (JsonException ex)
        {
            return ErrorInSuccess(body) ?? InvalidResponse(ex);
        }

        return InvalidResponse(null);
    }

    /// <summary>A 200 that carries an error object (some servers do this) is still an error answer.</summary>
    private GatewayError? ErrorInSuccess(byte[] body)
    {
        var detail = UpstreamErrorDetail.Parse(body);
        if (detail.Message is null)
        {
            return null;
        }

        Log.ErrorInSuccess(_logger, ProviderName, detail.Message);
        return GatewayError.BadGateway($"The upstream '{ProviderName}' reported an error.") with { UpstreamMessage = detail.Message };
    }

    private async ValueTask<GatewayError> ReadErrorAsync(HttpRequestMessage request, HttpResponseMessage response, string? model, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var retryAfter = UpstreamErrors.RetryAfter(response, _timeProvider);
        var buffer = ArrayPool<byte>.Shared.Rent(MaxErrorBodyBytes);
        try
        {
            var length = 0;
            try
            {
                await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
                int read;
                while (length < MaxErrorBodyBytes && (read = await stream.ReadAsync(buffer.AsMemory(length, MaxErrorBodyBytes - length), cancellationToken)) > 0)
                {
                    length += read;
                }
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                // The status is what matters; a body cut short only loses the message.
            }

            var body = buffer.AsSpan(0, length);
            var detail = UpstreamErrorDetail.Parse(body);
            var path = request.RequestUri?.AbsolutePath ?? string.Empty;
            Log.ErrorStatus(_logger, ProviderName, status, path, detail.Message);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                Log.ErrorBody(_logger, ProviderName, status, Encoding.UTF8.GetString(body[..Math.Min(length, 4096)]));
            }

            return UpstreamErrors.FromStatus(ProviderName, model, status, detail, retryAfter, path) with { UpstreamMessage = detail.Message };
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static KeyValuePair<string, string>[] BuildHeaders(ProviderOptions options)
    {
        var headers = new List<KeyValuePair<string, string>>();
        var hasAuthorization = options.Headers.Keys.Any(static k => string.Equals(k, "Authorization", StringComparison.OrdinalIgnoreCase));
        if (!string.IsNullOrEmpty(options.ApiKey) && !hasAuthorization)
        {
            headers.Add(new("Authorization", "Bearer " + options.ApiKey));
        }

        foreach (var (name, value) in options.Headers)
        {
            headers.Add(new(name, value));
        }

        return [.. headers];
    }

    /// <summary>
    /// Everything here is Debug: the router logs each failed attempt once, with its deployment and reason, and
    /// these lines (with the exception's stack trace) are the details behind it for whoever turns Debug on.
    /// </summary>
    private static partial class Log
    {
        [LoggerMessage(EventId = 2101, Level = LogLevel.Debug, Message = "Provider {Provider} answered HTTP {Status} for {Path}: {UpstreamMessage}")]
        public static partial void ErrorStatus(ILogger logger, string provider, int status, string path, string? upstreamMessage);

        [LoggerMessage(EventId = 2102, Level = LogLevel.Debug, Message = "Provider {Provider} error body (HTTP {Status}): {Body}")]
        public static partial void ErrorBody(ILogger logger, string provider, int status, string body);

        [LoggerMessage(EventId = 2103, Level = LogLevel.Debug, Message = "Provider {Provider} could not be reached at {Uri}")]
        public static partial void Unreachable(ILogger logger, string provider, Uri? uri, Exception exception);

        [LoggerMessage(EventId = 2104, Level = LogLevel.Debug, Message = "Provider {Provider} did not answer {Uri} within {Timeout}")]
        public static partial void TimedOut(ILogger logger, string provider, Uri? uri, TimeSpan timeout);

        [LoggerMessage(EventId = 2105, Level = LogLevel.Debug, Message = "Provider {Provider} sent an answer that could not be parsed")]
        public static partial void InvalidResponse(ILogger logger, string provider, Exception? exception);

        [LoggerMessage(EventId = 2106, Level = LogLevel.Debug, Message = "Provider {Provider} answered success with an error: {UpstreamMessage}")]
        public static partial void ErrorInSuccess(ILogger logger, string provider, string upstreamMessage);

        [LoggerMessage(EventId = 2107, Level = LogLevel.Debug, Message = "Provider {Provider} stream failed")]
        public static partial void StreamFailureDetail(ILogger logger, string provider, Exception exception);

        [LoggerMessage(EventId = 2108, Level = LogLevel.Warning, Message = "Upstream {Provider} failed for deployment {Deployment} after its stream started: {Reason}")]
        public static partial void StreamBrokeOff(ILogger logger, string provider, string deployment, string reason);
    }
}
