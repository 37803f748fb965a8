using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Switchboard.Mock.Fixtures;
using Switchboard.Mock.Matching;
using Switchboard.OpenAI;

namespace Switchboard.Mock.Loading;

/// <summary>
/// Imports a Postman v2.1 collection: nested folders, <c>request</c> as a URL string or an object, <c>url</c>
/// as a string or an object, <c>body.raw</c> parsed as JSON, saved example responses (<c>response[]</c> with
/// <c>code</c>, <c>header</c>, <c>body</c>) and collection variables (<c>{{name}}</c>). A request whose prompt
/// has a Conversation History block matches on that block as a whole; otherwise on all its messages.
/// With several saved responses the first answers by default and each named one answers a request
/// that sends <c>x-mock-response-name</c> (as Postman's own mock servers do).
/// </summary>
internal static partial class PostmanCollectionReader
{
    /// <summary>The header Postman mock servers use to pick a saved response by name.</summary>
    public const string ResponseNameHeader = "x-mock-response-name";

    // Saved headers that describe the original transfer, not the answer: replaying them would break clients.
    private static readonly HashSet<string> DroppedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-encoding", "content-length", "content-type", "transfer-encoding", "connection", "keep-alive", "date",
        "server", "set-cookie", "alt-svc", "strict-transport-security", "cf-ray", "cf-cache-status", "x-content-type-options",
        "access-control-expose-headers", "vary",
    };

    public static bool IsCollection(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("item", out var items) && items.ValueKind == JsonValueKind.Array
        && (root.TryGetProperty("info", out _) || items.GetArrayLength() == 0 || items[0].TryGetProperty("request", out _) || items[0].TryGetProperty("item", out _));

    public static List<Fixture> Read(ReadOnlySpan<byte> utf8, JsonElement root, string origin)
    {
        var lines = ItemLines(utf8);
        var variables = ReadVariables(root);
        var fixtures = new List<Fixture>();
        var position = 0;
        Walk(root.GetProperty("item"), string.Empty);
        return fixtures;

        void Walk(JsonElement items, string folder)
        {
            foreach (var item in items.EnumerateArray())
            {
                var line = position < lines.Count ? lines[position] : 0;
                position++;
                if (item.ValueKind != JsonValueKind.Object)
                {
                    throw new FixtureFormatException(line, "each entry of 'item' must be an object (a request or a folder).");
                }

                var name = StringOf(item, "name") ?? $"item {position}";
                if (item.TryGetProperty("item", out var children) && children.ValueKind == JsonValueKind.Array)
                {
                    Walk(children, folder + name + "/");
                    continue;
                }

                fixtures.AddRange(ReadItem(item, folder + name, line, origin, variables));
            }
        }
    }

    private static List<Fixture> ReadItem(JsonElement item, string name, int line, string origin, Dictionary<string, string> variables)
    {
        if (!item.TryGetProperty("request", out var request))
        {
            throw new FixtureFormatException(line, $"item '{name}' has no 'request'.");
        }

        string? url;
        string? raw = null;
        switch (request.ValueKind)
        {
            case JsonValueKind.String:
                url = request.GetString();
                break;
            case JsonValueKind.Object:
                url = UrlOf(request, line, name);
                if (request.TryGetProperty("body", out var body) && body.ValueKind == JsonValueKind.Object)
                {
                    raw = StringOf(body, "raw");
                }

                break;
            default:
                throw new FixtureFormatException(line, $"item '{name}': 'request' must be a URL string or an object.");
        }

        var path = PathOf(Substitute(url, variables));
        if (!IsChatPath(path))
        {
            return [];
        }

        var models = new List<string>();
        var matchers = BuildMatchers(Substitute(raw, variables), line, name, models);
        if (!item.TryGetProperty("response", out var saved) || saved.ValueKind != JsonValueKind.Array || saved.GetArrayLength() == 0)
        {
            // Postman lets a request exist without a saved example; such a request has nothing to answer with.
            return [];
        }

        var responses = saved.EnumerateArray().Select(r => ReadResponse(r, variables, line, name, models)).ToList();
        var fixtures = new List<Fixture>();
        for (var i = 0; i < responses.Count; i++)
        {
            var (responseName, response) = responses[i];
            var label = responses.Count == 1 || i == 0 ? responseName ?? name : $"{responseName ?? name} [{i + 1}]";
            IReadOnlyList<IRequestMatcher> fixtureMatchers = i == 0 || responseName is null
                ? matchers
                : [.. matchers, new HeaderMatcher(ResponseNameHeader, TextPattern.EqualTo(responseName))];
            if (i > 0 && responseName is null)
            {
                continue;
            }

            fixtures.Add(new Fixture
            {
                Id = label,
                Name = label,
                Source = new FixtureSource(origin, line),
                Matchers = fixtureMatchers,
                Responses = [response],
                Models = [.. models.Distinct(StringComparer.Ordinal)],
            });
        }

        return fixtures;
    }

    private static List<IRequestMatcher> BuildMatchers(string? raw, int line, string name, List<string> models)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return [];
        }

        JsonElement body;
        try
        {
            using var document = JsonDocument.Parse(raw, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            body = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new FixtureFormatException(line, $"item '{name}': body.raw is not valid JSON (line {(ex.LineNumber ?? 0) + 1} of the body: {ex.Message.Split('.')[0]}).");
        }

        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("messages", out _))
        {
            return [new JsonPathMatcher(JsonPath.Parse("$"), TextPattern.EqualTo(body.GetRawText()))];
        }

        ChatCompletionRequest? request;
        try
        {
            request = body.Deserialize(OpenAIJsonContext.Default.ChatCompletionRequest);
        }
        catch (JsonException ex)
        {
            throw new FixtureFormatException(line, $"item '{name}': body.raw is not a chat request: {ex.Message.Split('.')[0]}.");
        }

        if (request?.Model is { Length: > 0 } model)
        {
            models.Add(model);
        }

        var parsed = MockRequest.Create(request!, body);
        if (parsed.History is { } history)
        {
            return [new HistoryMatcher(history)];
        }

        return [new ConversationMatcher([.. parsed.Messages.Select(m => new MessagePattern(m.Role, TextPattern.EqualTo(m.Text)))])];
    }

    private static (string? Name, FixtureResponse Response) ReadResponse(JsonElement saved, Dictionary<string, string> variables, int line, string name, List<string> models)
    {
        if (saved.ValueKind != JsonValueKind.Object)
        {
            throw new FixtureFormatException(line, $"item '{name}': each saved response must be an object.");
        }

        var status = 200;
        if (saved.TryGetProperty("code", out var code))
        {
            status = code.ValueKind == JsonValueKind.Number && code.TryGetInt32(out var number) ? number
                : code.ValueKind == JsonValueKind.String && int.TryParse(code.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out number) ? number
                : throw new FixtureFormatException(line, $"item '{name}': saved response 'code' must be an HTTP status.");
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (saved.TryGetProperty("header", out var headerList) && headerList.ValueKind == JsonValueKind.Array)
        {
            foreach (var header in headerList.EnumerateArray())
            {
                if (StringOf(header, "key") is { } key && StringOf(header, "value") is { } value
                    && !DroppedHeaders.Contains(key)
                    && !(header.TryGetProperty("disabled", out var disabled) && disabled.ValueKind == JsonValueKind.True))
                {
                    var headerValue = Substitute(value, variables)!;
                    if (FixtureHeaders.Problem(key, headerValue) is { } problem)
                    {
                        throw new FixtureFormatException(line, $"item '{name}': saved response header: {problem}");
                    }

                    headers[key] = headerValue;
                }
            }
        }

        var text = Substitute(StringOf(saved, "body"), variables) ?? string.Empty;
        JsonElement body;
        try
        {
            using var document = JsonDocument.Parse(text);
            body = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            body = JsonSerializer.SerializeToElement(text, Serialization.MockJsonContext.Default.String);
        }

        if (body.ValueKind == JsonValueKind.Object && StringOf(body, "model") is { Length: > 0 } model)
        {
            models.Add(model);
        }

        return (StringOf(saved, "name"), new FixtureResponse { Body = body, Status = status, Headers = headers });
    }

    private static string? UrlOf(JsonElement request, int line, string name)
    {
        if (!request.TryGetProperty("url", out var url))
        {
            return null;
        }

        switch (url.ValueKind)
        {
            case JsonValueKind.String:
                return url.GetString();
            case JsonValueKind.Object:
                if (url.TryGetProperty("path", out var path))
                {
                    return path.ValueKind switch
                    {
                        JsonValueKind.Array => "/" + string.Join('/', path.EnumerateArray().Select(p => p.ValueKind == JsonValueKind.String ? p.GetString() : StringOf(p, "value"))),
                        JsonValueKind.String => "/" + path.GetString()!.TrimStart('/'),
                        _ => null,
                    };
                }

                return StringOf(url, "raw");
            case JsonValueKind.Null:
                return null;
            default:
                throw new FixtureFormatException(line, $"item '{name}': 'url' must be a string or an object.");
        }
    }

    /// <summary>The path of a URL that may lack a scheme or start with a variable (<c>{{url}}/v1/chat/completions</c>).</summary>
    private static string PathOf(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return string.Empty;
        }

        var text = url;
        var query = text.IndexOfAny(['?', '#']);
        if (query >= 0)
        {
            text = text[..query];
        }

        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            var slash = text.IndexOf('/', scheme + 3);
            return slash < 0 ? "/" : text[slash..];
        }

        if (text.StartsWith("{{", StringComparison.Ordinal))
        {
            var end = text.IndexOf("}}", StringComparison.Ordinal);
            return end < 0 ? text : text[(end + 2)..];
        }

        return text;
    }

    /// <summary>Chat requests, and requests with no recognisable path, become chat fixtures; embeddings or models do not.</summary>
    private static bool IsChatPath(string path)
    {
        var trimmed = path.TrimEnd('/');
        return trimmed.Length == 0
            || trimmed.EndsWith("completions", StringComparison.OrdinalIgnoreCase)
            || !(trimmed.EndsWith("embeddings", StringComparison.OrdinalIgnoreCase) || trimmed.Contains("/models", StringComparison.OrdinalIgnoreCase));
    }

    private static Dictionary<string, string> ReadVariables(JsonElement root)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("variable", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var variable in list.EnumerateArray())
            {
                if (StringOf(variable, "key") is { } key && variable.TryGetProperty("value", out var value))
                {
                    variables[key] = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
                }
            }
        }

        return variables;
    }

    private static string? Substitute(string? text, Dictionary<string, string> variables) =>
        text is null || variables.Count == 0 || !text.Contains("{{", StringComparison.Ordinal)
            ? text
            : VariablePattern().Replace(text, m => variables.TryGetValue(m.Groups[1].Value.Trim(), out var value) ? value : m.Value);

    private static string? StringOf(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>The line of every object in an <c>item</c> array, in document order (the order of a depth-first walk).</summary>
    private static List<int> ItemLines(ReadOnlySpan<byte> utf8)
    {
        var lines = new List<int>();
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var containers = new Stack<string>();
        string? property = null;
        var line = 1;
        var counted = 0L;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    property = reader.GetString();
                    continue;
                case JsonTokenType.StartArray:
                    containers.Push("[" + property);
                    break;
                case JsonTokenType.StartObject:
                    if (containers.TryPeek(out var parent) && parent == "[item")
                    {
                        var start = reader.TokenStartIndex;
                        line += utf8[(int)counted..(int)start].Count((byte)'\n');
                        counted = start;
                        lines.Add(line);
                    }

                    containers.Push("{");
                    break;
                case JsonTokenType.EndArray or JsonTokenType.EndObject:
                    containers.Pop();
                    break;
            }

            property = null;
        }

        return lines;
    }

    [GeneratedRegex(@"\{\{([^{}]+)\}\}")]
    private static partial Regex VariablePattern();
}
