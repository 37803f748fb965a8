using System.Text.Json;
using Switchboard.Errors;
using Switchboard.OpenAI;

namespace Switchboard.Validation;

/// <summary>
/// Checks a parsed chat request against the rules of the OpenAI API, so a client mistake is answered
/// with a 400 that names the parameter instead of surfacing later as an upstream error.
/// </summary>
public static class ChatRequestValidator
{
    /// <summary>Model ids are short; a longer name is a mistake or an attack on logs and routing rules.</summary>
    public const int MaxModelNameLength = 256;

    /// <summary>Returns the first problem found, or null when the request is acceptable.</summary>
    public static GatewayError? Validate(ChatCompletionRequest request, bool requireModel = true)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (requireModel && string.IsNullOrWhiteSpace(request.Model))
        {
            return Missing("model");
        }

        if (request.Model is { Length: > MaxModelNameLength })
        {
            return GatewayError.InvalidRequest($"'model' must be at most {MaxModelNameLength} characters.", "model", ErrorCodes.InvalidValue);
        }

        if (request.Messages is null)
        {
            return Missing("messages");
        }

        if (request.Messages.Count == 0)
        {
            return GatewayError.InvalidRequest("'messages' must contain at least one message.", "messages", ErrorCodes.InvalidValue);
        }

        for (var i = 0; i < request.Messages.Count; i++)
        {
            if (ValidateMessage(request.Messages[i], $"messages[{i}]") is { } error)
            {
                return error;
            }
        }

        return ValidateSampling(request) ?? ValidateTools(request) ?? ValidateStreaming(request);
    }

    private static GatewayError? ValidateMessage(ChatMessage? message, string path)
    {
        if (message is null)
        {
            return GatewayError.InvalidRequest($"'{path}' must be an object.", path, ErrorCodes.InvalidType);
        }

        if (string.IsNullOrEmpty(message.Role))
        {
            return Missing($"{path}.role");
        }

        if (!ChatRoles.IsKnown(message.Role))
        {
            return GatewayError.InvalidRequest(
                $"'{message.Role}' is not a valid role. Supported values are: 'system', 'developer', 'user', 'assistant', 'tool' and 'function'.",
                $"{path}.role",
                ErrorCodes.InvalidValue);
        }

        var isAssistantToolCall = message.Role == ChatRoles.Assistant && (message.ToolCalls is { Count: > 0 } || message.AdditionalProperties?.ContainsKey("function_call") == true);
        if (message.Content is null && !isAssistantToolCall && message.Role != ChatRoles.Assistant)
        {
            return Missing($"{path}.content");
        }

        if (message.Role == ChatRoles.Tool && string.IsNullOrEmpty(message.ToolCallId))
        {
            return Missing($"{path}.tool_call_id");
        }

        if (message.ToolCalls is { } calls)
        {
            for (var c = 0; c < calls.Count; c++)
            {
                if (calls[c] is null)
                {
                    return NotAnObject($"{path}.tool_calls[{c}]");
                }
            }
        }

        if (message.Content?.Parts is { } parts)
        {
            for (var p = 0; p < parts.Count; p++)
            {
                if (parts[p] is null)
                {
                    return NotAnObject($"{path}.content[{p}]");
                }

                if (string.IsNullOrEmpty(parts[p].Type))
                {
                    return Missing($"{path}.content[{p}].type");
                }

                if (parts[p].Type == "text" && parts[p].Text is null)
                {
                    return Missing($"{path}.content[{p}].text");
                }
            }
        }

        return null;
    }

    private static GatewayError? ValidateSampling(ChatCompletionRequest request)
    {
        if (request.Temperature is < 0 or > 2)
        {
            return OutOfRange("temperature", "between 0 and 2");
        }

        if (request.TopP is < 0 or > 1)
        {
            return OutOfRange("top_p", "between 0 and 1");
        }

        if (request.N is < 1 or > 128)
        {
            return OutOfRange("n", "between 1 and 128");
        }

        if (request.MaxTokens is < 1)
        {
            return OutOfRange("max_tokens", "at least 1");
        }

        if (request.MaxCompletionTokens is < 1)
        {
            return OutOfRange("max_completion_tokens", "at least 1");
        }

        if (request.PresencePenalty is < -2 or > 2)
        {
            return OutOfRange("presence_penalty", "between -2 and 2");
        }

        if (request.FrequencyPenalty is < -2 or > 2)
        {
            return OutOfRange("frequency_penalty", "between -2 and 2");
        }

        if (request.TopLogprobs is < 0 or > 20)
        {
            return OutOfRange("top_logprobs", "between 0 and 20");
        }

        if (request.Stop is { } stop)
        {
            var valid = stop.ValueKind switch
            {
                JsonValueKind.Null or JsonValueKind.String => true,
                JsonValueKind.Array => stop.GetArrayLength() <= 4 && stop.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String),
                _ => false,
            };
            if (!valid)
            {
                return GatewayError.InvalidRequest("'stop' must be a string or an array of at most 4 strings.", "stop", ErrorCodes.InvalidType);
            }
        }

        if (request.ResponseFormat is { ValueKind: not JsonValueKind.Null } format)
        {
            if (format.ValueKind != JsonValueKind.Object || !format.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                return GatewayError.InvalidRequest("'response_format' must be an object with a 'type'.", "response_format", ErrorCodes.InvalidType);
            }

            if (type.GetString() is not ("text" or "json_object" or "json_schema"))
            {
                return GatewayError.InvalidRequest(
                    $"'{type.GetString()}' is not a valid response_format type. Supported values are: 'text', 'json_object' and 'json_schema'.",
                    "response_format.type",
                    ErrorCodes.InvalidValue);
            }
        }

        return null;
    }

    private static GatewayError? ValidateTools(ChatCompletionRequest request)
    {
        if (request.Tools is { } tools)
        {
            for (var i = 0; i < tools.Count; i++)
            {
                var tool = tools[i];
                if (tool?.Type is null)
                {
                    return Missing($"tools[{i}].type");
                }

                if (tool.Type == "function" && string.IsNullOrEmpty(tool.Function?.Name))
                {
                    return Missing($"tools[{i}].function.name");
                }
            }
        }

        if (request.ToolChoice is { } choice)
        {
            var valid = choice.ValueKind switch
            {
                JsonValueKind.Null => true,
                JsonValueKind.String => choice.GetString() is "none" or "auto" or "required",
                JsonValueKind.Object => choice.TryGetProperty("type", out _),
                _ => false,
            };
            if (!valid)
            {
                return GatewayError.InvalidRequest(
                    "'tool_choice' must be 'none', 'auto', 'required' or an object naming a tool.",
                    "tool_choice",
                    ErrorCodes.InvalidValue);
            }

            if (choice.ValueKind == JsonValueKind.String && choice.GetString() == "required" && request.Tools is not { Count: > 0 })
            {
                return GatewayError.InvalidRequest("'tool_choice' is 'required' but no 'tools' were given.", "tool_choice", ErrorCodes.InvalidValue);
            }
        }

        return null;
    }

    private static GatewayError? ValidateStreaming(ChatCompletionRequest request) =>
        request.StreamOptions is not null && !request.IsStreaming
            ? GatewayError.InvalidRequest("'stream_options' is only allowed when 'stream' is true.", "stream_options", ErrorCodes.InvalidValue)
            : null;

    private static GatewayError NotAnObject(string param) =>
        GatewayError.InvalidRequest($"'{param}' must be an object.", param, ErrorCodes.InvalidType);

    private static GatewayError Missing(string param) =>
        GatewayError.InvalidRequest($"Missing required parameter: '{param}'.", param, ErrorCodes.MissingParameter);

    private static GatewayError OutOfRange(string param, string range) =>
        GatewayError.InvalidRequest($"'{param}' must be {range}.", param, ErrorCodes.InvalidValue);
}
