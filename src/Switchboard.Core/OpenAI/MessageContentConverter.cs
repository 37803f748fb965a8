using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.OpenAI;

/// <summary>Reads and writes <see cref="MessageContent"/> as either a JSON string or an array of parts.</summary>
public sealed class MessageContentConverter : JsonConverter<MessageContent>
{
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
                        throw new JsonException("Each content part must be an object with a 'type'.");
                    }

                    parts.Add(JsonSerializer.Deserialize(ref reader, OpenAIJsonContext.Default.ContentPart)!);
                }

                return MessageContent.FromParts(parts);
            default:
                throw new JsonException("Message content must be a string or an array of content parts.");
        }
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
