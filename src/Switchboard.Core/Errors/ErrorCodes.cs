namespace Switchboard.Errors;

/// <summary>Values of the <c>code</c> field of the OpenAI error object that Switchboard uses.</summary>
public static class ErrorCodes
{
    public const string InvalidJson = "invalid_json";

    /// <summary>The request's body could not be read at all: broken chunked framing, a body that stopped arriving, corrupt compressed data.</summary>
    public const string InvalidBody = "invalid_body";
    public const string MissingParameter = "missing_required_parameter";
    public const string InvalidType = "invalid_type";
    public const string InvalidValue = "invalid_value";
    public const string ModelNotFound = "model_not_found";
    public const string RequestTooLarge = "request_too_large";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string RateLimitExceeded = "rate_limit_exceeded";
    public const string UpstreamError = "upstream_error";
    public const string UpstreamUnavailable = "upstream_unavailable";
    public const string UpstreamTimeout = "upstream_timeout";
    public const string UnsupportedOperation = "unsupported_operation";
    public const string NotFound = "not_found";
}
