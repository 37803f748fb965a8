namespace Switchboard.Client;

/// <summary>What went wrong with a call, for code that reacts differently to each failure.</summary>
public enum LlmErrorKind
{
    /// <summary>The call succeeded.</summary>
    None,

    /// <summary>Nothing was sent: the request itself is incomplete (no model name, an empty prompt or no messages).</summary>
    InvalidRequest,

    /// <summary>The server could not be reached, or the connection broke before the answer was complete.</summary>
    ConnectionFailed,

    /// <summary>The server's host name could not be resolved (DNS).</summary>
    HostNotFound,

    /// <summary>No complete answer within <see cref="LlmClientOptions.Timeout"/>.</summary>
    Timeout,

    /// <summary>The server answered 429; <see cref="LlmResponse.RetryAfter"/> says when to try again, when it said.</summary>
    RateLimited,

    /// <summary>The server refused the request with a 4xx status other than 429 (bad key, unknown model, bad parameter).</summary>
    ClientError,

    /// <summary>The server failed with a 5xx status, or reported an error in the middle of its answer.</summary>
    ServerError,

    /// <summary>The server answered, but not with a chat completion that could be read (malformed or truncated JSON, no message).</summary>
    InvalidResponse,

    /// <summary>Any other failure; <see cref="LlmResponse.Error"/> names the exception.</summary>
    Unexpected,
}
