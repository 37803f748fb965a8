using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Switchboard.OpenAI;

namespace Switchboard.Hosting.Http;

/// <summary>
/// Says what the API expects at a parameter path (<c>messages[0].content[1].text</c>), by walking the
/// source-generated contract of the request type, so a type error names the expected JSON kind.
/// </summary>
public static partial class ExpectedJsonType
{
    /// <summary>What <paramref name="root"/>'s contract expects at <paramref name="param"/> (<c>a string</c>, <c>an array</c>, ...); null when the path leads nowhere.</summary>
    public static string? Describe(JsonTypeInfo root, string param)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(param);
        var type = root.Type;
        foreach (Match segment in Segments().Matches(param))
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (segment.Groups["index"].Success)
            {
                type = ElementType(type);
            }
            else
            {
                var info = root.Options.GetTypeInfo(type);
                var property = info.Properties.FirstOrDefault(p => p.Name == segment.Groups["name"].Value);
                type = property?.PropertyType;
            }

            if (type is null)
            {
                return null;
            }
        }

        return Kind(Nullable.GetUnderlyingType(type) ?? type);
    }

    private static Type? ElementType(Type type)
    {
        if (type == typeof(MessageContent))
        {
            return typeof(ContentPart);
        }

        if (type.IsArray)
        {
            return type.GetElementType();
        }

        var list = type.IsGenericType && type.GetGenericArguments().Length == 1
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        return list?.GetGenericArguments()[0];
    }

    private static string Kind(Type type) => type switch
    {
        _ when type == typeof(string) => "a string",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(int) => "a whole number between -2147483648 and 2147483647",
        _ when type == typeof(long) => "a whole number",
        _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "a number",
        _ when type == typeof(MessageContent) => "a string or an array of content parts",
        _ when type == typeof(JsonElement) => "a JSON value",
        _ when type.IsGenericType && type.GetGenericArguments().Length == 2 => "an object",
        _ when type != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(type) => "an array",
        _ => "an object",
    };

    [GeneratedRegex(@"(?<name>[^.\[\]]+)|\[(?<index>\d+)\]")]
    private static partial Regex Segments();
}
