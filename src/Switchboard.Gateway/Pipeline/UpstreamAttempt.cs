namespace Switchboard.Gateway.Pipeline;

/// <summary>One call the router made to an upstream, for the request log (see <see cref="GatewayContext.AttemptLog"/>).</summary>
/// <param name="Deployment">The deployment's id, <c>provider/model</c>.</param>
/// <param name="Number">1 for the first call, then retries and fallbacks in order.</param>
/// <param name="StartedAfter">From the request's arrival to the call.</param>
/// <param name="Duration">The call (a stream: through its first chunk).</param>
/// <param name="StatusCode">200, or the failure's status.</param>
/// <param name="ErrorCode">The failure's code; null on success.</param>
public sealed record UpstreamAttempt(string Deployment, int Number, TimeSpan StartedAfter, TimeSpan Duration, int StatusCode, string? ErrorCode);
