using Switchboard.Errors;

namespace Switchboard.Gateway.Auth;

/// <summary>The answers of the auth stage. None says whether a presented key exists, was revoked or expired.</summary>
public static class AuthErrors
{
    public const string InvalidApiKey = "invalid_api_key";
    public const string ModelNotAllowed = "model_not_allowed";
    public const string AuthUnavailable = "auth_unavailable";

    public static GatewayError Missing { get; } = new()
    {
        StatusCode = 401,
        Type = ErrorTypes.Authentication,
        Message = "You didn't provide an API key. Send it as 'Authorization: Bearer KEY' or in an 'api-key' header.",
        Code = InvalidApiKey,
    };

    /// <summary>Unknown, revoked and expired keys alike.</summary>
    public static GatewayError Invalid { get; } = new()
    {
        StatusCode = 401,
        Type = ErrorTypes.Authentication,
        Message = "Incorrect API key provided, or the key is no longer valid.",
        Code = InvalidApiKey,
    };

    /// <summary>The admin API takes the master key only.</summary>
    public static GatewayError AdminOnly { get; } = new()
    {
        StatusCode = 401,
        Type = ErrorTypes.Authentication,
        Message = "The admin API needs the master key (auth.master_key).",
        Code = InvalidApiKey,
    };

    /// <summary>The key store could not be asked and the key was not verified recently.</summary>
    public static GatewayError Unavailable { get; } = new()
    {
        StatusCode = 503,
        Type = ErrorTypes.Server,
        Message = "API keys cannot be verified right now; try again shortly.",
        Code = AuthUnavailable,
        RetryAfter = TimeSpan.FromSeconds(1),
    };

    public static GatewayError ModelForbidden(string model) => new()
    {
        StatusCode = 403,
        Type = ErrorTypes.Permission,
        Message = $"This API key is not allowed to use the model '{model}'.",
        Param = "model",
        Code = ModelNotAllowed,
    };
}
