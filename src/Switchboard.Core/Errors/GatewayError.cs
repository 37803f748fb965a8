using Switchboard.OpenAI;

namespace Switchboard.Errors;

/// <summary>
/// An expected failure (a bad request, a miss, a limit, an upstream error) as a value. Every component
/// returns these instead of throwing; the host turns them into an HTTP status and the OpenAI error object
/// in one place.
/// </summary>
public sealed record GatewayError
{
    public required int StatusCode { get; init; }
    public required string Type { get; init; }
    public required string Message { get; init; }
    public string? Param { get; init; }
    public string? Code { get; init; }

    /// <summary>When set, the answer carries a <c>retry-after</c> header.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>
    /// True when a provider refused the request itself, before asking its upstream (a field that upstream
    /// cannot take): the error says nothing about the upstream's health.
    /// </summary>
    public bool BeforeUpstream { get; init; }

    /// <summary>
    /// True when the failure comes from how the gateway is configured for this upstream (it refused the
    /// gateway's key, lacks the model a deployment maps to, or the base URL points elsewhere): asking the
    /// same deployment again cannot help, another deployment or a fallback may.
    /// </summary>
    public bool Misconfigured { get; init; }

    /// <summary>
    /// What the upstream itself said about the failure, for the gateway's log only: never sent to the client,
    /// since it can carry details of the gateway's upstream account.
    /// </summary>
    public string? UpstreamMessage { get; init; }

    public ErrorResponse ToResponse() =>
        new() { Error = new ErrorBody { Message = Message, Type = Type, Param = Param, Code = Code } };

    public static GatewayError InvalidRequest(string message, string? param = null, string? code = null) => new()
    {
        StatusCode = 400,
        Type = ErrorTypes.InvalidRequest,
        Message = message,
        Param = param,
        Code = code,
    };

    public static GatewayError ModelNotFound(string model) => new()
    {
        StatusCode = 404,
        Type = ErrorTypes.InvalidRequest,
        Message = $"The model '{model}' does not exist or you do not have access to it.",
        Param = "model",
        Code = ErrorCodes.ModelNotFound,
    };

    public static GatewayError NotFound(string message, string? code = null) => new()
    {
        StatusCode = 404,
        Type = ErrorTypes.InvalidRequest,
        Message = message,
        Code = code,
    };

    public static GatewayError PayloadTooLarge(long limitBytes) => new()
    {
        StatusCode = 413,
        Type = ErrorTypes.InvalidRequest,
        Message = $"The request body is larger than the limit of {limitBytes} bytes.",
        Code = ErrorCodes.RequestTooLarge,
    };

    public static GatewayError UnsupportedMediaType(string? contentType) => new()
    {
        StatusCode = 415,
        Type = ErrorTypes.InvalidRequest,
        Message = $"Expected a JSON body with Content-Type 'application/json', got '{contentType ?? "none"}'.",
        Code = ErrorCodes.UnsupportedMediaType,
    };

    public static GatewayError RateLimited(string message, TimeSpan retryAfter, string code = ErrorCodes.RateLimitExceeded) => new()
    {
        StatusCode = 429,
        Type = ErrorTypes.RateLimit,
        Message = message,
        Code = code,
        RetryAfter = retryAfter,
    };

    /// <summary>The upstream answered with an error or with something that is not a valid answer (502).</summary>
    public static GatewayError BadGateway(string message, string? code = ErrorCodes.UpstreamError) => new()
    {
        StatusCode = 502,
        Type = ErrorTypes.Upstream,
        Message = message,
        Code = code,
    };

    /// <summary>No upstream could be reached, or it said it is overloaded (503).</summary>
    public static GatewayError Unavailable(string message, string? code = ErrorCodes.UpstreamUnavailable, TimeSpan? retryAfter = null) => new()
    {
        StatusCode = 503,
        Type = ErrorTypes.Upstream,
        Message = message,
        Code = code,
        RetryAfter = retryAfter,
    };

    /// <summary>The upstream did not answer within the configured timeout (504).</summary>
    public static GatewayError GatewayTimeout(string message) => new()
    {
        StatusCode = 504,
        Type = ErrorTypes.Upstream,
        Message = message,
        Code = ErrorCodes.UpstreamTimeout,
    };
}
