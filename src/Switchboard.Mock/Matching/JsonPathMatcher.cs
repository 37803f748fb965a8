using System.Globalization;
using System.Text.Json;
using Switchboard.Mock.Text;

namespace Switchboard.Mock.Matching;

/// <summary>
/// Compares the value at a JSON path of the request body with a pattern. Strings compare by their text;
/// numbers compare by value for <c>equals</c> (<c>0</c> equals <c>0.0</c>); objects and arrays by their
/// canonical JSON (keys sorted), so key order and spacing do not matter.
/// </summary>
public sealed class JsonPathMatcher(JsonPath path, TextPattern pattern) : IRequestMatcher
{
    public JsonPath Path { get; } = path ?? throw new ArgumentNullException(nameof(path));

    public TextPattern Pattern { get; } = pattern ?? throw new ArgumentNullException(nameof(pattern));

    public int Specificity => 5 * Pattern.Weight;

    public string? IndexKey => null;

    public double Score(MockRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Path.TrySelect(request.Body, out var value))
        {
            return 0;
        }

        if (Pattern.Comparison == TextComparison.Equals && value.ValueKind == JsonValueKind.Number
            && decimal.TryParse(Pattern.Pattern, NumberStyles.Float, CultureInfo.InvariantCulture, out var expected)
            && value.TryGetDecimal(out var actual))
        {
            return expected == actual ? 1 : 0;
        }

        if (Pattern.Comparison == TextComparison.Equals && value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
        {
            return JsonCanonical.CanonicalizeText(Pattern.Pattern) == JsonCanonical.Canonicalize(value) ? 1 : 0;
        }

        return Pattern.Score(TextOf(value));
    }

    public string Describe() => $"body {Path} {Pattern}";

    public string Explain(MockRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Path.TrySelect(request.Body, out var value)
            ? $"body {Path} is '{TextNormalizer.Shorten(TextOf(value))}', expected it {Pattern}"
            : $"body has no {Path}, expected it {Pattern}";
    }

    private static string TextOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => TextNormalizer.Normalize(value.GetString()),
        JsonValueKind.Object or JsonValueKind.Array => JsonCanonical.Canonicalize(value),
        _ => value.GetRawText(),
    };
}
