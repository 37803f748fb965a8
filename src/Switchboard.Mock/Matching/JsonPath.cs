using System.Globalization;
using System.Text.Json;

namespace Switchboard.Mock.Matching;

/// <summary>
/// A small JSON path: <c>$.a.b</c>, <c>$['a b']</c>, <c>$.messages[0]</c>, <c>$.messages[-1].content</c>
/// (negative indexes count from the end). The leading <c>$</c> or <c>$.</c> may be left out.
/// </summary>
public sealed class JsonPath
{
    private readonly IReadOnlyList<object> _segments;

    private JsonPath(string text, IReadOnlyList<object> segments)
    {
        Text = text;
        _segments = segments;
    }

    public string Text { get; }

    /// <summary>Parses a path; throws <see cref="FormatException"/> naming the problem.</summary>
    public static JsonPath Parse(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var segments = new List<object>();
        var i = 0;
        var text = path.Trim();
        if (text.StartsWith('$'))
        {
            i = 1;
        }

        while (i < text.Length)
        {
            var c = text[i];
            if (c == '.')
            {
                i++;
                continue;
            }

            if (c == '[')
            {
                var close = text.IndexOf(']', i);
                if (close < 0)
                {
                    throw new FormatException($"JSON path '{path}' has '[' without ']'.");
                }

                var inner = text[(i + 1)..close].Trim();
                if (inner.Length >= 2 && (inner[0] is '\'' or '"') && inner[^1] == inner[0])
                {
                    segments.Add(inner[1..^1]);
                }
                else if (int.TryParse(inner, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index))
                {
                    segments.Add(index);
                }
                else
                {
                    throw new FormatException($"JSON path '{path}' has '[{inner}]', expected a number or a quoted name.");
                }

                i = close + 1;
                continue;
            }

            var end = text.IndexOfAny(['.', '['], i);
            if (end < 0)
            {
                end = text.Length;
            }

            segments.Add(text[i..end]);
            i = end;
        }

        return new JsonPath(path, segments);
    }

    public bool TrySelect(JsonElement root, out JsonElement value)
    {
        value = root;
        foreach (var segment in _segments)
        {
            switch (segment)
            {
                case string name when value.ValueKind == JsonValueKind.Object && value.TryGetProperty(name, out var child):
                    value = child;
                    break;
                case int index when value.ValueKind == JsonValueKind.Array:
                    var length = value.GetArrayLength();
                    var at = index < 0 ? length + index : index;
                    if (at < 0 || at >= length)
                    {
                        return false;
                    }

                    value = value[at];
                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    public override string ToString() => Text;
}
