using Switchboard.Errors;

namespace Switchboard.Conversations.Service;

/// <summary>The conversations service's own answers that are not a reply, each naming the field at fault.</summary>
public static class ConversationErrors
{
    public const string ConversationNotFoundCode = "conversation_not_found";
    public const string ConversationBusyCode = "conversation_busy";
    public const string ContextLengthExceededCode = "context_length_exceeded";
    public const string StringAboveMaxLengthCode = "string_above_max_length";
    public const string UnknownParameterCode = "unknown_parameter";

    public static GatewayError NotFound(string conversation) => new()
    {
        StatusCode = 404,
        Type = ErrorTypes.InvalidRequest,
        Message = $"There is no conversation '{conversation}' (it may have expired or been deleted).",
        Param = "conversation",
        Code = ConversationNotFoundCode,
    };

    /// <summary>A <c>partition</c> that is not <c>global</c>, <c>key:ID</c> or <c>team:NAME</c>.</summary>
    public static GatewayError PartitionInvalid { get; } = Invalid(
        "partition",
        "'partition' must be 'global', 'key:ID' or 'team:NAME' (at most 256 characters).");

    /// <summary>A virtual key naming a partition other than its own; the same answer whatever is stored there.</summary>
    public static GatewayError PartitionAdminOnly { get; } = new()
    {
        StatusCode = 403,
        Type = ErrorTypes.Permission,
        Message = "Only the master key may name a partition other than the caller's own.",
        Param = "partition",
        Code = "partition_not_allowed",
    };

    public static GatewayError Busy(string conversation, TimeSpan retryAfter) => new()
    {
        StatusCode = 429,
        Type = ErrorTypes.RateLimit,
        Message = $"Too many messages are waiting for conversation '{conversation}'; try again shortly.",
        Param = "conversation",
        Code = ConversationBusyCode,
        RetryAfter = retryAfter,
    };

    public static GatewayError TooLongForWindow(int budget, int contextWindow) => GatewayError.InvalidRequest(
        $"The message and the system prompt do not fit the model's context window ({contextWindow} tokens, of which {budget} are for the prompt). Send a shorter message or system_prompt.",
        "message",
        ContextLengthExceededCode);

    public static GatewayError Missing(string param) => GatewayError.InvalidRequest($"Missing required parameter: '{param}'.", param, ErrorCodes.MissingParameter);

    public static GatewayError Invalid(string param, string message) => GatewayError.InvalidRequest(message, param, ErrorCodes.InvalidValue);

    public static GatewayError TooLong(string param, int max) => GatewayError.InvalidRequest($"'{param}' is longer than {max} characters.", param, StringAboveMaxLengthCode);

    public static GatewayError Unknown(string param) => GatewayError.InvalidRequest($"Unrecognized request argument supplied: '{param}'.", param, UnknownParameterCode);
}
