using System.Text.Json;

namespace Switchboard.Providers.OpenAICompatible;

/// <summary>
/// Puts the deployment's model into the client's own request bytes, so an OpenAI-compatible upstream gets the
/// request exactly as the client wrote it (field order, nulls, number formats, fields Switchboard does not
/// know) and a long prompt is not serialized again.
/// </summary>
internal static class ModelSplice
{
    /// <summary>
    /// The client's bytes with the top-level <c>model</c> set to <paramref name="model"/>; null when there are no
    /// bytes or they do not have exactly one top-level <c>model</c> string, and the request must be serialized.
    /// </summary>
    public static ReadOnlyMemory<byte>? Apply(ReadOnlyMemory<byte> clientJson, string? model)
    {
        if (clientJson.IsEmpty || model is null)
        {
            return null;
        }

        var json = clientJson.Span;
        var reader = new Utf8JsonReader(json);
        int start = -1, end = -1;
        var unchanged = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isModel = reader.ValueTextEquals("model"u8);
                reader.Read();
                if (!isModel)
                {
                    reader.Skip();
                    continue;
                }

                // A second "model" would leave the upstream to pick one; the serializer writes exactly one.
                if (start >= 0 || reader.TokenType != JsonTokenType.String)
                {
                    return null;
                }

                start = (int)reader.TokenStartIndex;
                end = (int)reader.BytesConsumed;
                unchanged = reader.ValueTextEquals(model);
            }
        }
        catch (JsonException)
        {
            return null;
        }

        if (start < 0)
        {
            return null;
        }

        if (unchanged)
        {
            return clientJson;
        }

        var value = JsonEncodedText.Encode(model).EncodedUtf8Bytes;
        var spliced = new byte[start + value.Length + 2 + (json.Length - end)];
        json[..start].CopyTo(spliced);
        spliced[start] = (byte)'"';
        value.CopyTo(spliced.AsSpan(start + 1));
        spliced[start + 1 + value.Length] = (byte)'"';
        json[end..].CopyTo(spliced.AsSpan(start + value.Length + 2));
        return spliced;
    }
}
