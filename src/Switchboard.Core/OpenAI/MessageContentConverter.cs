using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.OpenAI;

/// <summary>Reads and writes <see cref="MessageContent"/> as either a JSON string or an array of parts.</summary>
public sealed class MessageContentConverter : JsonConverter<MessageContent>
{
    /// <summary>
    /// Key in <see cref="Exception.Data"/> of a <see cref="JsonException"/> under which this converter puts the
    /// path below its own position (<c>[1].text</c>): the serializer reports only the converter's position.
    /// </summary>
    public const string ParamSuffixKey = "switchboard.param-suffix";

    public override MessageContent? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return MessageContent.FromText(reader.GetString()!);
            case JsonTokenType.StartArray:
                var parts = new List<ContentPart>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        throw WithSuffix(new JsonException("Each content part must be an object with a 'type'."), $"[{parts.Count}]");
                    }

                    try
                    {
                        parts.Add(JsonSerializer.Deserialize(ref reader, OpenAIJsonContext.Default.ContentPart)!);
                    }
                    catch (JsonException ex)
                    {
                        // The nested call reports a path relative to the part ("$.text"); keep it and let the
                        // serializer add the path to this converter.
                        var below = ex.Path is { Length: > 1 } path ? path[1..] : string.Empty;
                        throw WithSuffix(new JsonException("A content part has a value of the wrong type.", ex), $"[{parts.Count}]{below}");
                    }
                }

                return MessageContent.FromParts(parts);
            default:
                throw new JsonException("Message content must be a string or an array of content parts.");
        }
    }

    private static JsonException WithSuffix(JsonException exception, string suffix)
    {
        exception.Data[ParamSuffixKey] = suffix;
        return exception;
    }

    public override void Write(Utf8JsonWriter writer, MessageContent value, JsonSerializerOptions options)
    {
        if (value.PlainText is not null)
        {
            writer.WriteStringValue(value.PlainText);
            return;
        }

        writer.WriteStartArray();
        foreach (var part in value.Parts!)
        {
            JsonSerializer.Serialize(writer, part, OpenAIJsonContext.Default.ContentPart);
        }

        writer.WriteEndArray();
    }
}
