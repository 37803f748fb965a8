using System.Text.Json;
using Switchboard.Text;

namespace Switchboard.Mock.Text;

/// <summary>The mock's use of <see cref="CanonicalJson"/>: key order, spacing and number spelling never matter to a matcher.</summary>
internal static class JsonCanonical
{
    public static string Canonicalize(JsonElement element) => CanonicalJson.ToText(element);

    /// <summary>The canonical form of a JSON text, or the text normalized when it is not JSON.</summary>
    public static string CanonicalizeText(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return string.Empty;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return Canonicalize(document.RootElement);
        }
        catch (JsonException)
        {
            return TextNormalizer.Normalize(json);
        }
    }
}
