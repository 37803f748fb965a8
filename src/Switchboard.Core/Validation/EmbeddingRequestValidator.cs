using System.Text.Json;
using Switchboard.Errors;
using Switchboard.OpenAI;

namespace Switchboard.Validation;

/// <summary>Checks an embedding request against the rules of the OpenAI API.</summary>
public static class EmbeddingRequestValidator
{
    /// <summary>OpenAI's limit on inputs per request.</summary>
    public const int MaxInputs = 2048;

    /// <summary>Far above any embedding model's size, low enough that no request can ask for gigabytes.</summary>
    public const int MaxDimensions = 16384;

    public static GatewayError? Validate(EmbeddingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            return GatewayError.InvalidRequest("Missing required parameter: 'model'.", "model", ErrorCodes.MissingParameter);
        }

        if (request.Model.Length > ChatRequestValidator.MaxModelNameLength)
        {
            return GatewayError.InvalidRequest($"'model' must be at most {ChatRequestValidator.MaxModelNameLength} characters.", "model", ErrorCodes.InvalidValue);
        }

        if (request.Input is not { } input || input.ValueKind == JsonValueKind.Null)
        {
            return GatewayError.InvalidRequest("Missing required parameter: 'input'.", "input", ErrorCodes.MissingParameter);
        }

        var valid = input.ValueKind switch
        {
            JsonValueKind.String => input.GetString()!.Length > 0,
            JsonValueKind.Array => input.GetArrayLength() > 0 && input.EnumerateArray().All(IsValidItem),
            _ => false,
        };
        if (!valid)
        {
            return GatewayError.InvalidRequest(
                "'input' must be a non-empty string, an array of non-empty strings, an array of token ids or an array of token-id arrays.",
                "input",
                ErrorCodes.InvalidType);
        }

        if (input.ValueKind == JsonValueKind.Array && input.GetArrayLength() > MaxInputs)
        {
            return GatewayError.InvalidRequest($"'input' can hold at most {MaxInputs} items.", "input", ErrorCodes.InvalidValue);
        }

        if (request.EncodingFormat is not (null or "float" or "base64"))
        {
            return GatewayError.InvalidRequest(
                $"'{request.EncodingFormat}' is not a valid encoding_format. Supported values are: 'float' and 'base64'.",
                "encoding_format",
                ErrorCodes.InvalidValue);
        }

        if (request.Dimensions is < 1 or > MaxDimensions)
        {
            return GatewayError.InvalidRequest($"'dimensions' must be between 1 and {MaxDimensions}.", "dimensions", ErrorCodes.InvalidValue);
        }

        return null;
    }

    private static bool IsValidItem(JsonElement item) => item.ValueKind switch
    {
        JsonValueKind.String => item.GetString()!.Length > 0,
        JsonValueKind.Number => true,
        JsonValueKind.Array => item.GetArrayLength() > 0 && item.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number),
        _ => false,
    };
}
