using System.Net.Http.Headers;

namespace Switchboard.Client.Http;

/// <summary>Notes the final answer of each HTTP exchange in the running call's <see cref="HttpCallRecord"/>; the outermost handler, so it sees the answer after retries.</summary>
internal sealed class CallRecordingHandler(TimeProvider time) : DelegatingHandler
{
    /// <summary>Error bodies are short JSON objects; anything longer is not worth showing.</summary>
    private const int MaxErrorBodyBytes = 64 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var record = HttpCallRecord.Current;
        if (record is not null)
        {
            record.RequestUri = request.RequestUri;
        }

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return response;
        }

        record.StatusCode = response.StatusCode;
        record.RetryAfter = RetryAfter(response, time);
        if (!response.IsSuccessStatusCode)
        {
            record.ErrorBody = await ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    private static async Task<string?> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength is > MaxErrorBodyBytes)
        {
            return null;
        }

        try
        {
            // Buffered, so the SDK above can still read the body for its own exception.
            await response.Content.LoadIntoBufferAsync(MaxErrorBodyBytes, cancellationToken).ConfigureAwait(false);
            return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The server's <c>retry-after</c> (seconds or a date) or <c>retry-after-ms</c>, when it sent one.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time)
    {
        if (response.Headers.TryGetValues("retry-after-ms", out var values)
            && double.TryParse(values.FirstOrDefault(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var milliseconds)
            && milliseconds >= 0)
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        return response.Headers.RetryAfter switch
        {
            RetryConditionHeaderValue { Delta: { } delta } => delta,
            RetryConditionHeaderValue { Date: { } date } => date > time.GetUtcNow() ? date - time.GetUtcNow() : TimeSpan.Zero,
            _ => null,
        };
    }
}
