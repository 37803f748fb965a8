using System.Globalization;
using System.Text;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Switchboard.Mock.Loading;

/// <summary>Helpers over YamlDotNet's node model: line numbers, typed scalars, and YAML to JSON.</summary>
internal static class YamlNodes
{
    public static int LineOf(YamlNode node) => (int)node.Start.Line;

    public static FixtureFormatException Error(YamlNode node, string message) => new(LineOf(node), message);

    public static YamlMappingNode Mapping(YamlNode node, string what) =>
        node as YamlMappingNode ?? throw Error(node, $"{what} must be a mapping (key: value lines).");

    public static string Scalar(YamlNode node, string what) => node switch
    {
        YamlScalarNode scalar => scalar.Value ?? string.Empty,
        _ => throw Error(node, $"{what} must be a single value, not a {(node is YamlSequenceNode ? "list" : "mapping")}."),
    };

    public static int Int(YamlNode node, string what)
    {
        var text = Scalar(node, what);
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Error(node, $"{what} must be a whole number, got '{text}'.");
    }

    public static double Number(YamlNode node, string what)
    {
        var text = Scalar(node, what);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw Error(node, $"{what} must be a number of at least 0, got '{text}'.");
    }

    public static bool Bool(YamlNode node, string what)
    {
        var text = Scalar(node, what);
        return text.ToUpperInvariant() switch
        {
            "TRUE" or "YES" or "ON" => true,
            "FALSE" or "NO" or "OFF" => false,
            _ => throw Error(node, $"{what} must be true or false, got '{text}'."),
        };
    }

    /// <summary>A duration in milliseconds, or with a unit: <c>250</c>, <c>250ms</c>, <c>1.5s</c>.</summary>
    public static TimeSpan Milliseconds(YamlNode node, string what)
    {
        var text = Scalar(node, what).Trim();
        var scale = 1.0;
        if (text.EndsWith("ms", StringComparison.OrdinalIgnoreCase))
        {
            text = text[..^2];
        }
        else if (text.EndsWith('s') || text.EndsWith('S'))
        {
            text = text[..^1];
            scale = 1000;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? TimeSpan.FromMilliseconds(value * scale)
            : throw Error(node, $"{what} must be a duration in milliseconds (250, 250ms or 1.5s), got '{Scalar(node, what)}'.");
    }

    public static IEnumerable<YamlNode> Items(YamlNode node) => node switch
    {
        YamlSequenceNode sequence => sequence.Children,
        YamlScalarNode { Value: null or "" } => [],
        _ => [node],
    };

    /// <summary>Checks that a mapping has only known keys, naming the unknown one and the choices.</summary>
    public static IEnumerable<(string Key, YamlNode KeyNode, YamlNode Value)> Entries(YamlMappingNode mapping, string what, IReadOnlyCollection<string> allowed)
    {
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = Scalar(keyNode, "a key");
            if (!allowed.Contains(key))
            {
                throw Error(keyNode, $"unknown key '{key}' in {what}; expected one of: {string.Join(", ", allowed)}.");
            }

            yield return (key, keyNode, value);
        }
    }

    /// <summary>The node as JSON text: plain scalars that look like numbers, booleans or null keep that type.</summary>
    public static string ToJson(YamlNode node)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            Write(writer, node);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static JsonElement ToElement(YamlNode node)
    {
        using var document = JsonDocument.Parse(ToJson(node));
        return document.RootElement.Clone();
    }

    private static void Write(Utf8JsonWriter writer, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                writer.WriteStartObject();
                foreach (var (key, value) in mapping.Children)
                {
                    writer.WritePropertyName(Scalar(key, "a key"));
                    Write(writer, value);
                }

                writer.WriteEndObject();
                break;
            case YamlSequenceNode sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Children)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case YamlScalarNode scalar:
                WriteScalar(writer, scalar);
                break;
            default:
                throw Error(node, "aliases are not supported here.");
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (scalar.Style == ScalarStyle.Plain)
        {
            switch (text)
            {
                case "" or "~" or "null" or "Null" or "NULL":
                    writer.WriteNullValue();
                    return;
                case "true" or "True" or "TRUE":
                    writer.WriteBooleanValue(true);
                    return;
                case "false" or "False" or "FALSE":
                    writer.WriteBooleanValue(false);
                    return;
            }

            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            {
                writer.WriteNumberValue(integer);
                return;
            }

            if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                writer.WriteNumberValue(number);
                return;
            }
        }

        writer.WriteStringValue(text);
    }
}
