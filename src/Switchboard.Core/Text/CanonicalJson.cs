using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Switchboard.Text;

/// <summary>
/// Writes JSON in one canonical form: compact, object keys sorted (ordinal), strings with one escaping, numbers by
/// value (<c>1.0</c> and <c>1</c> are the same, <c>0.70</c> is <c>0.7</c>). Two documents that mean the same write
/// the same bytes, whatever their key order, spacing or number spelling.
/// </summary>
public static class CanonicalJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The canonical form of <paramref name="element"/> as text.</summary>
    public static string ToText(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, element);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes the canonical form of <paramref name="element"/>.</summary>
    public static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        ArgumentNullException.ThrowIfNull(writer);
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                WriteProperties(writer, element, skip: null);
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.Number:
                if (element.TryGetInt64(out var whole))
                {
                    writer.WriteNumberValue(whole);
                }
                else if (element.TryGetDouble(out var number) && double.IsFinite(number))
                {
                    writer.WriteNumberValue(number);
                }
                else
                {
                    element.WriteTo(writer);
                }

                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    /// <summary>Writes an object's properties sorted by name, leaving out those <paramref name="skip"/> says to.</summary>
    internal static void WriteProperties(Utf8JsonWriter writer, JsonElement element, Func<string, bool>? skip)
    {
        var properties = new List<JsonProperty>();
        foreach (var property in element.EnumerateObject())
        {
            if (skip is null || !skip(property.Name))
            {
                properties.Add(property);
            }
        }

        properties.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        string? previous = null;
        foreach (var property in properties)
        {
            // A repeated key: the last one wins, as in every parser that keeps one (and in the serializer).
            if (previous == property.Name)
            {
                continue;
            }

            previous = property.Name;
            writer.WritePropertyName(property.Name);
            Write(writer, LastValue(element, property.Name));
        }
    }

    private static JsonElement LastValue(JsonElement element, string name)
    {
        JsonElement value = default;
        foreach (var property in element.EnumerateObject())
        {
            if (property.NameEquals(name))
            {
                value = property.Value;
            }
        }

        return value;
    }
}
