using System.Net;

namespace Switchboard.Client.Http;

/// <summary>
/// What the HTTP layer saw during one <see cref="LlmClient"/> call: the last request's address and the final
/// answer's status, <c>retry-after</c> and (for a failure) body. SDKs turn these into exceptions of their own
/// shapes; reading them here gives the same error values whatever SDK sits in between.
/// </summary>
internal sealed class HttpCallRecord
{
    private static readonly AsyncLocal<HttpCallRecord?> CurrentRecord = new();

    /// <summary>The record of the call running on this async flow, if any.</summary>
    public static HttpCallRecord? Current => CurrentRecord.Value;

    public Uri? RequestUri { get; set; }

    public HttpStatusCode? StatusCode { get; set; }

    public TimeSpan? RetryAfter { get; set; }

    /// <summary>The body of a failed answer (bounded), read so the server's own message can be shown.</summary>
    public string? ErrorBody { get; set; }

    /// <summary>Starts recording for the current async flow; the value does not leak to the caller of the async method that calls this.</summary>
    public static HttpCallRecord Start()
    {
        var record = new HttpCallRecord();
        CurrentRecord.Value = record;
        return record;
    }
}
