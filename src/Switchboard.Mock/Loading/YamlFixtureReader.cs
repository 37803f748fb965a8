using System.Text.Json;
using Switchboard.Mock.Fixtures;
using Switchboard.Mock.Matching;
using Switchboard.Mock.Text;
using Switchboard.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using static Switchboard.Mock.Loading.YamlNodes;

namespace Switchboard.Mock.Loading;

/// <summary>
/// Reads the native fixture format (YAML, or the same shape as JSON): a list of fixtures, a mapping with
/// <c>fixtures:</c>, or one fixture; several documents may follow each other. Every problem is reported with
/// its line, and unknown keys are problems (a typo must not silently match everything).
/// </summary>
internal static class YamlFixtureReader
{
    private static readonly string[] FixtureKeys = ["name", "id", "description", "priority", "match", "response", "responses", "sequence", "sequence_mode", "scenario", "state", "next_state"];
    private static readonly string[] MatchKeys = ["last_user", "user", "history", "conversation", "messages", "model", "system", "prompt", "tools", "json", "headers"];
    private static readonly string[] ResponseKeys = ["content", "tool_calls", "error", "status", "retry_after", "body", "model", "finish_reason", "headers", "usage", "delay_ms", "stream", "fault"];
    private static readonly string[] PatternKeys = ["equals", "contains", "regex", "glob", "ignore_case"];
    private static readonly string[] ErrorKeys = ["status", "message", "type", "code", "param", "retry_after"];
    private static readonly string[] StreamKeys = ["chunk_size", "ttft_ms", "tokens_per_second"];
    private static readonly string[] FaultKeys = ["drop_connection", "drop_after_chunks", "malformed_chunk"];
    private static readonly string[] UsageKeys = ["prompt_tokens", "completion_tokens"];
    private static readonly string[] ToolCallKeys = ["name", "arguments", "id"];

    public static List<Fixture> Read(string text, string origin)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new BoundedYamlParser(new StringReader(text)));
        }
        catch (YamlException ex)
        {
            throw new FixtureFormatException((int)ex.Start.Line, "not valid YAML: " + FirstLine(ex.Message), ex);
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet gives up this way on some unclosed flow collections; find where it stopped making sense.
            throw new FixtureFormatException(LastGoodLine(text), "not valid YAML: check the brackets, quotes and indentation here.", ex);
        }

        var fixtures = new List<Fixture>();
        foreach (var document in stream.Documents)
        {
            foreach (var node in FixtureNodes(document.RootNode))
            {
                fixtures.Add(ReadFixture(Mapping(node, "a fixture"), origin, fixtures.Count));
            }
        }

        return fixtures;
    }

    private static IEnumerable<YamlNode> FixtureNodes(YamlNode root)
    {
        if (root is YamlMappingNode mapping && mapping.Children.Keys.OfType<YamlScalarNode>().Any(k => k.Value == "fixtures"))
        {
            foreach (var (key, value) in mapping.Children)
            {
                if (Scalar(key, "a key") != "fixtures")
                {
                    throw Error(key, $"unknown key '{Scalar(key, "a key")}' next to 'fixtures:'; put every setting inside a fixture.");
                }

                foreach (var item in Items(value))
                {
                    yield return item;
                }
            }

            yield break;
        }

        foreach (var item in Items(root))
        {
            yield return item;
        }
    }

    internal static Fixture ReadFixture(YamlMappingNode node, string origin, int index)
    {
        string? name = null;
        string? id = null;
        var priority = 0;
        IReadOnlyList<IRequestMatcher> matchers = [];
        var models = new List<string>();
        var responses = new List<FixtureResponse>();
        var mode = SequenceMode.RepeatLast;
        string? scenario = null;
        string? state = null;
        string? nextState = null;
        foreach (var (key, _, value) in Entries(node, "a fixture", FixtureKeys))
        {
            switch (key)
            {
                case "name":
                    name = Scalar(value, "'name'");
                    break;
                case "id":
                    id = Scalar(value, "'id'");
                    break;
                case "description":
                    break;
                case "priority":
                    priority = Int(value, "'priority'");
                    break;
                case "match":
                    matchers = ReadMatch(value, models);
                    break;
                case "response":
                    responses.Add(ReadResponse(value, models));
                    break;
                case "responses" or "sequence":
                    if (value is not YamlSequenceNode { Children.Count: > 0 } list)
                    {
                        throw Error(value, $"'{key}' must be a list of responses, answered one per turn.");
                    }

                    responses.AddRange(list.Children.Select(r => ReadResponse(r, models)));
                    break;
                case "sequence_mode":
                    mode = Scalar(value, "'sequence_mode'") switch
                    {
                        "repeat_last" => SequenceMode.RepeatLast,
                        "cycle" => SequenceMode.Cycle,
                        var other => throw Error(value, $"'sequence_mode' must be repeat_last or cycle, got '{other}'."),
                    };
                    break;
                case "scenario":
                    scenario = Scalar(value, "'scenario'");
                    break;
                case "state":
                    state = Scalar(value, "'state'");
                    break;
                case "next_state":
                    nextState = Scalar(value, "'next_state'");
                    break;
            }
        }

        if (responses.Count == 0)
        {
            throw Error(node, "a fixture needs a 'response' (or a list of 'responses').");
        }

        if ((state is not null || nextState is not null) && scenario is null)
        {
            throw Error(node, "'state' and 'next_state' need a 'scenario' name.");
        }

        var label = name ?? id ?? $"{Path.GetFileName(origin)} #{index + 1}";
        return new Fixture
        {
            Id = id ?? label,
            Name = label,
            Source = new FixtureSource(origin, LineOf(node)),
            Priority = priority,
            Matchers = matchers,
            Responses = responses,
            SequenceMode = mode,
            Scenario = scenario,
            RequiredState = state ?? (scenario is null ? null : MockEngine.StartState),
            NextState = nextState,
            Models = [.. models.Distinct(StringComparer.Ordinal)],
        };
    }

    private static List<IRequestMatcher> ReadMatch(YamlNode node, List<string> models)
    {
        var matchers = new List<IRequestMatcher>();
        if (node is YamlScalarNode { Value: null or "" })
        {
            return matchers;
        }

        foreach (var (key, _, value) in Entries(Mapping(node, "'match'"), "'match'", MatchKeys))
        {
            switch (key)
            {
                case "last_user" or "user":
                    matchers.Add(new FieldMatcher(RequestField.LastUserMessage, ReadPattern(value, $"'{key}'")));
                    break;
                case "model":
                    var model = ReadPattern(value, "'model'");
                    if (model.Comparison == TextComparison.Equals)
                    {
                        models.Add(model.Pattern);
                    }

                    matchers.Add(new FieldMatcher(RequestField.Model, model));
                    break;
                case "system":
                    matchers.Add(new FieldMatcher(RequestField.SystemPrompt, ReadPattern(value, "'system'")));
                    break;
                case "prompt":
                    matchers.Add(new FieldMatcher(RequestField.Prompt, ReadPattern(value, "'prompt'")));
                    break;
                case "history":
                    matchers.Add(new HistoryMatcher(ReadHistory(value)));
                    break;
                case "conversation" or "messages":
                    matchers.Add(new ConversationMatcher(ReadConversation(value, key)));
                    break;
                case "tools":
                    matchers.Add(new ToolsMatcher([.. Items(value).Select(t => Scalar(t, "a tool name"))]));
                    break;
                case "json":
                    foreach (var (pathNode, expected) in Mapping(value, "'json'").Children)
                    {
                        var pathText = Scalar(pathNode, "a JSON path");
                        JsonPath path;
                        try
                        {
                            path = JsonPath.Parse(pathText);
                        }
                        catch (FormatException ex)
                        {
                            throw Error(pathNode, ex.Message);
                        }

                        var pattern = expected is YamlMappingNode map && IsPattern(map)
                            ? ReadPattern(expected, $"'{pathText}'")
                            : expected is YamlScalarNode
                                ? ReadPattern(expected, $"'{pathText}'")
                                : TextPattern.EqualTo(ToJson(expected));
                        matchers.Add(new JsonPathMatcher(path, pattern));
                    }

                    break;
                case "headers":
                    foreach (var (nameNode, expected) in Mapping(value, "'headers'").Children)
                    {
                        var header = Scalar(nameNode, "a header name");
                        matchers.Add(new HeaderMatcher(header, ReadPattern(expected, $"header '{header}'")));
                    }

                    break;
            }
        }

        return matchers;
    }

    private static bool IsPattern(YamlMappingNode map) =>
        map.Children.Keys.OfType<YamlScalarNode>().All(k => PatternKeys.Contains(k.Value));

    /// <summary>A scalar (equals) or <c>{equals|contains|regex|glob: text, ignore_case: bool}</c>.</summary>
    internal static TextPattern ReadPattern(YamlNode node, string what)
    {
        if (node is YamlScalarNode)
        {
            return TextPattern.EqualTo(Scalar(node, what));
        }

        var mapping = Mapping(node, what);
        TextComparison? comparison = null;
        string? pattern = null;
        var ignoreCase = false;
        foreach (var (key, keyNode, value) in Entries(mapping, what, PatternKeys))
        {
            if (key == "ignore_case")
            {
                ignoreCase = Bool(value, "'ignore_case'");
                continue;
            }

            if (comparison is not null)
            {
                throw Error(keyNode, $"{what} has both '{comparison.ToString()!.ToLowerInvariant()}' and '{key}'; use one comparison.");
            }

            comparison = key switch
            {
                "equals" => TextComparison.Equals,
                "contains" => TextComparison.Contains,
                "regex" => TextComparison.Regex,
                _ => TextComparison.Glob,
            };
            pattern = Scalar(value, $"'{key}'");
        }

        if (comparison is null)
        {
            throw Error(node, $"{what} needs one of equals, contains, regex or glob.");
        }

        try
        {
            return new TextPattern(comparison.Value, pattern!, ignoreCase);
        }
        catch (ArgumentException ex)
        {
            throw Error(node, $"{what} has an invalid regular expression: {FirstLine(ex.Message)}");
        }
    }

    /// <summary>A list of <c>USER: text</c> entries (as mappings or strings) or a block of such lines.</summary>
    private static List<HistoryTurn> ReadHistory(YamlNode node)
    {
        if (node is YamlScalarNode scalar)
        {
            return [.. ConversationHistory.Parse(scalar.Value ?? string.Empty)];
        }

        if (node is not YamlSequenceNode sequence)
        {
            throw Error(node, "'history' must be a list of 'USER: text' / 'AI: text' entries or a block of such lines.");
        }

        var turns = new List<HistoryTurn>();
        foreach (var item in sequence.Children)
        {
            switch (item)
            {
                case YamlMappingNode { Children.Count: 1 } turn:
                    var (speaker, text) = turn.Children.First();
                    turns.Add(new HistoryTurn(
                        ConversationHistory.NormalizeSpeaker(Scalar(speaker, "a speaker")),
                        TextNormalizer.Normalize(Scalar(text, "a history turn"))));
                    break;
                case YamlScalarNode line:
                    turns.AddRange(ConversationHistory.Parse(line.Value ?? string.Empty));
                    break;
                default:
                    throw Error(item, "each history entry must be 'USER: text' or 'AI: text'.");
            }
        }

        return turns;
    }

    /// <summary>A list of <c>{role: text}</c> or <c>{role: user, content: text-or-pattern}</c> entries.</summary>
    private static List<MessagePattern> ReadConversation(YamlNode node, string key)
    {
        if (node is not YamlSequenceNode sequence)
        {
            throw Error(node, $"'{key}' must be a list of messages such as '- user: hello'.");
        }

        var messages = new List<MessagePattern>();
        foreach (var item in sequence.Children)
        {
            var mapping = Mapping(item, "a message");
            var role = mapping.Children.TryGetValue(new YamlScalarNode("role"), out var roleNode) ? Scalar(roleNode, "'role'") : null;
            if (role is not null)
            {
                var content = mapping.Children.TryGetValue(new YamlScalarNode("content"), out var contentNode)
                    ? ReadPattern(contentNode, "'content'")
                    : throw Error(item, "a message with 'role' needs 'content'.");
                messages.Add(new MessagePattern(role, content));
            }
            else if (mapping.Children.Count == 1)
            {
                var (roleKey, content) = mapping.Children.First();
                messages.Add(new MessagePattern(Scalar(roleKey, "a role"), ReadPattern(content, "a message")));
            }
            else
            {
                throw Error(item, "a message must be '- user: text' or have 'role' and 'content'.");
            }
        }

        return messages;
    }

    internal static FixtureResponse ReadResponse(YamlNode node, List<string> models)
    {
        if (node is YamlScalarNode scalar)
        {
            return new FixtureResponse { Content = scalar.Value ?? string.Empty };
        }

        var response = new FixtureResponse();
        int? status = null;
        TimeSpan? retryAfter = null;
        foreach (var (key, _, value) in Entries(Mapping(node, "'response'"), "'response'", ResponseKeys))
        {
            response = key switch
            {
                "content" => response with { Content = Scalar(value, "'content'") },
                "tool_calls" => response with { ToolCalls = [.. Items(value).Select(ReadToolCall)] },
                "error" => response with { Error = ReadError(value) },
                "body" => response with { Body = value is YamlScalarNode body ? ParseBody(body) : ToElement(value) },
                "model" => response with { Model = Scalar(value, "'model'") },
                "finish_reason" => response with { FinishReason = Scalar(value, "'finish_reason'") },
                "headers" => response with { Headers = ReadHeaders(value) },
                "usage" => ReadUsage(response, value),
                "delay_ms" => response with { Delay = Milliseconds(value, "'delay_ms'") },
                "stream" => response with { Stream = ReadStream(value) },
                "fault" => response with { Fault = ReadFault(value) },
                _ => response,
            };
            if (key == "status")
            {
                status = Int(value, "'status'");
            }
            else if (key == "retry_after")
            {
                retryAfter = TimeSpan.FromSeconds(Number(value, "'retry_after'"));
            }
        }

        if (status is { } code)
        {
            response = response.Body is not null || (code < 400 && response.Error is null)
                ? response with { Status = code }
                : response with { Error = (response.Error ?? new FixtureError()) with { Status = code } };
        }

        if (retryAfter is { } wait)
        {
            response = response with { Error = (response.Error ?? new FixtureError { Status = 429 }) with { RetryAfter = wait } };
        }

        if (response.Model is { } model)
        {
            models.Add(model);
        }

        return response;
    }

    private static JsonElement ParseBody(YamlScalarNode body)
    {
        var text = body.Value ?? string.Empty;
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(text, Serialization.MockJsonContext.Default.String);
        }
    }

    private static FixtureToolCall ReadToolCall(YamlNode node)
    {
        var mapping = Mapping(node, "a tool call");
        var keys = mapping.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value).ToList();
        if (keys.Count == 1 && !ToolCallKeys.Contains(keys[0]))
        {
            // Short form: "- get_weather: {city: Paris}".
            var (nameNode, args) = mapping.Children.First();
            return new FixtureToolCall(Scalar(nameNode, "a tool name"), Arguments(args));
        }

        string? name = null;
        var arguments = "{}";
        string? id = null;
        foreach (var (key, _, value) in Entries(mapping, "a tool call", ToolCallKeys))
        {
            switch (key)
            {
                case "name":
                    name = Scalar(value, "'name'");
                    break;
                case "arguments":
                    arguments = Arguments(value);
                    break;
                case "id":
                    id = Scalar(value, "'id'");
                    break;
            }
        }

        return new FixtureToolCall(name ?? throw Error(node, "a tool call needs a 'name'."), arguments, id);
    }

    private static string Arguments(YamlNode node)
    {
        if (node is YamlScalarNode scalar)
        {
            var text = scalar.Value ?? string.Empty;
            if (string.IsNullOrWhiteSpace(text))
            {
                return "{}";
            }

            try
            {
                using var _ = JsonDocument.Parse(text);
                return text;
            }
            catch (JsonException)
            {
                throw Error(node, "tool call 'arguments' must be a mapping or a JSON object string.");
            }
        }

        return ToJson(node);
    }

    private static FixtureError ReadError(YamlNode node)
    {
        if (node is YamlScalarNode)
        {
            return new FixtureError { Status = Int(node, "'error'") };
        }

        var error = new FixtureError();
        foreach (var (key, _, value) in Entries(Mapping(node, "'error'"), "'error'", ErrorKeys))
        {
            error = key switch
            {
                "status" => error with { Status = Int(value, "'status'") },
                "message" => error with { Message = Scalar(value, "'message'") },
                "type" => error with { Type = Scalar(value, "'type'") },
                "code" => error with { Code = Scalar(value, "'code'") },
                "param" => error with { Param = Scalar(value, "'param'") },
                _ => error with { RetryAfter = TimeSpan.FromSeconds(Number(value, "'retry_after'")) },
            };
        }

        if (error.Status is < 100 or > 599)
        {
            throw Error(node, $"'status' must be an HTTP status between 100 and 599, got {error.Status}.");
        }

        return error;
    }

    private static Dictionary<string, string> ReadHeaders(YamlNode node)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (nameNode, valueNode) in Mapping(node, "'headers'").Children)
        {
            var name = Scalar(nameNode, "a header name");
            var value = Scalar(valueNode, "a header value");
            if (FixtureHeaders.Problem(name, value) is { } problem)
            {
                throw Error(nameNode, problem);
            }

            headers[name] = value;
        }

        return headers;
    }

    private static FixtureResponse ReadUsage(FixtureResponse response, YamlNode node)
    {
        foreach (var (key, _, value) in Entries(Mapping(node, "'usage'"), "'usage'", UsageKeys))
        {
            response = key == "prompt_tokens"
                ? response with { PromptTokens = Int(value, "'prompt_tokens'") }
                : response with { CompletionTokens = Int(value, "'completion_tokens'") };
        }

        return response;
    }

    private static StreamSettings ReadStream(YamlNode node)
    {
        var settings = new StreamSettings();
        foreach (var (key, _, value) in Entries(Mapping(node, "'stream'"), "'stream'", StreamKeys))
        {
            settings = key switch
            {
                "chunk_size" => settings with { ChunkSize = Math.Max(1, Int(value, "'chunk_size'")) },
                "ttft_ms" => settings with { TimeToFirstToken = Milliseconds(value, "'ttft_ms'") },
                _ => settings with { TokensPerSecond = Number(value, "'tokens_per_second'") },
            };
        }

        return settings;
    }

    private static FaultSettings ReadFault(YamlNode node)
    {
        var fault = new FaultSettings();
        foreach (var (key, _, value) in Entries(Mapping(node, "'fault'"), "'fault'", FaultKeys))
        {
            fault = key switch
            {
                "drop_connection" => fault with { DropConnection = Bool(value, "'drop_connection'") },
                "drop_after_chunks" => fault with { DropAfterChunks = Int(value, "'drop_after_chunks'") },
                _ => fault with { MalformedChunk = Int(value, "'malformed_chunk'") },
            };
        }

        return fault;
    }

    private static int LastGoodLine(string text)
    {
        var parser = new Parser(new StringReader(text));
        var line = 1;
        try
        {
            while (parser.MoveNext())
            {
                line = (int)parser.Current!.End.Line;
            }
        }
        catch (Exception ex) when (ex is YamlException or InvalidOperationException)
        {
            line = ex is YamlException yaml ? (int)yaml.Start.Line : line;
        }

        return line;
    }

    private static string FirstLine(string message)
    {
        var newline = message.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? message : message[..newline].TrimEnd();
    }
}
