using System.Text.Json;
using Switchboard.Errors;
using Switchboard.OpenAI;

namespace Switchboard.Validation;

/// <summary>Checks an embedding request against the rules of the OpenAI API.</summary>
public static class EmbeddingRequestValidator
{
    public static GatewayError? Validate(EmbeddingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            return GatewayError.InvalidRequest("Missing required parameter: 'model'.", "model", ErrorCodes.MissingParameter);
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

        if (request.EncodingFormat is not (null or "float" or "base64"))
        {
            return GatewayError.InvalidRequest(
                $"'{request.EncodingFormat}' is not a valid encoding_format. Supported values are: 'float' and 'base64'.",
                "encoding_format",
                ErrorCodes.InvalidValue);
        }

        if (request.Dimensions is < 1)
        {
            return GatewayError.InvalidRequest("'dimensions' must be at least 1.", "dimensions", ErrorCodes.InvalidValue);
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
