using System.Globalization;
using System.Text.Json;
using Switchboard.Mock.Fixtures;
using Switchboard.Mock.Matching;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Switchboard.Mock.Recording;

/// <summary>
/// Writes fixtures in the native YAML format, so that what record mode saw, what the admin API lists and
/// what a person writes by hand are the same thing. Reading the output back gives equal fixtures.
/// </summary>
public static class FixtureYamlWriter
{
    public static string Write(IEnumerable<Fixture> fixtures)
    {
        ArgumentNullException.ThrowIfNull(fixtures);
        var list = new YamlSequenceNode();
        foreach (var fixture in fixtures)
        {
            list.Add(ToNode(fixture));
        }

        var stream = new YamlStream(new YamlDocument(new YamlMappingNode { { "fixtures", list } }));
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        stream.Save(writer, assignAnchors: false);
        var text = writer.ToString();
        // YamlDotNet ends a document with "...": harmless, but noise in a file meant for people.
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text.EndsWith("...\r\n", StringComparison.Ordinal) ? text[..^5] : text;
    }

    private static YamlMappingNode ToNode(Fixture fixture)
    {
        var node = new YamlMappingNode { { "name", Scalar(fixture.Name) } };
        if (fixture.Priority != 0)
        {
            node.Add("priority", Scalar(fixture.Priority.ToString(CultureInfo.InvariantCulture)));
        }

        if (fixture.Matchers.Count > 0)
        {
            var match = new YamlMappingNode();
            foreach (var matcher in fixture.Matchers)
            {
                AddMatcher(match, matcher);
            }

            node.Add("match", match);
        }

        if (fixture.Responses.Count == 1)
        {
            node.Add("response", ToNode(fixture.Responses[0]));
        }
        else
        {
            node.Add("responses", new YamlSequenceNode(fixture.Responses.Select(r => (YamlNode)ToNode(r))));
            if (fixture.SequenceMode == SequenceMode.Cycle)
            {
                node.Add("sequence_mode", "cycle");
            }
        }

        if (fixture.Scenario is { } scenario)
        {
            node.Add("scenario", Scalar(scenario));
            if (fixture.RequiredState is { } state)
            {
                node.Add("state", Scalar(state));
            }

            if (fixture.NextState is { } next)
            {
                node.Add("next_state", Scalar(next));
            }
        }

        return node;
    }

    private static void AddMatcher(YamlMappingNode match, IRequestMatcher matcher)
    {
        switch (matcher)
        {
            case FieldMatcher field:
                match.Add(field.Field switch
                {
                    RequestField.LastUserMessage => "last_user",
                    RequestField.Model => "model",
                    RequestField.SystemPrompt => "system",
                    _ => "prompt",
                }, Pattern(field.Pattern));
                break;
            case HistoryMatcher history:
                match.Add("history", new YamlSequenceNode(history.Turns.Select(t => (YamlNode)new YamlMappingNode { { t.Speaker.Length == 0 ? "USER" : t.Speaker, Scalar(t.Text) } })));
                break;
            case ConversationMatcher conversation:
                match.Add("conversation", new YamlSequenceNode(conversation.Messages.Select(m => (YamlNode)new YamlMappingNode { { m.Role, Pattern(m.Content) } })));
                break;
            case ToolsMatcher tools:
                match.Add("tools", new YamlSequenceNode(tools.Names.Select(n => (YamlNode)Scalar(n))));
                break;
            case JsonPathMatcher json:
                if (!match.Children.TryGetValue(new YamlScalarNode("json"), out var paths))
                {
                    match.Add("json", paths = new YamlMappingNode());
                }

                ((YamlMappingNode)paths).Add(json.Path.Text, Pattern(json.Pattern));
                break;
            case HeaderMatcher header:
                if (!match.Children.TryGetValue(new YamlScalarNode("headers"), out var headers))
                {
                    match.Add("headers", headers = new YamlMappingNode());
                }

                ((YamlMappingNode)headers).Add(header.Name, Pattern(header.Pattern));
                break;
            default:
                throw new NotSupportedException($"Matcher {matcher.GetType().Name} has no YAML form.");
        }
    }

    private static YamlNode Pattern(TextPattern pattern)
    {
        if (pattern is { Comparison: TextComparison.Equals, IgnoreCase: false })
        {
            return Scalar(pattern.Pattern);
        }

        var node = new YamlMappingNode { { pattern.Comparison.ToString().ToLowerInvariant(), Scalar(pattern.Pattern) } };
        if (pattern.IgnoreCase)
        {
            node.Add("ignore_case", "true");
        }

        return node;
    }

    private static YamlMappingNode ToNode(FixtureResponse response)
    {
        var node = new YamlMappingNode();
        if (response.Content is { } content)
        {
            node.Add("content", Scalar(content));
        }

        if (response.ToolCalls.Count > 0)
        {
            node.Add("tool_calls", new YamlSequenceNode(response.ToolCalls.Select(call =>
            {
                var item = new YamlMappingNode { { "name", Scalar(call.Name) }, { "arguments", Scalar(call.Arguments) } };
                if (call.Id is { } id)
                {
                    item.Add("id", Scalar(id));
                }

                return (YamlNode)item;
            })));
        }

        if (response.Error is { } error)
        {
            var item = new YamlMappingNode { { "status", Number(error.Status) } };
            AddIf(item, "message", error.Message);
            AddIf(item, "type", error.Type);
            AddIf(item, "code", error.Code);
            AddIf(item, "param", error.Param);
            if (error.RetryAfter is { } wait)
            {
                item.Add("retry_after", Scalar(wait.TotalSeconds.ToString(CultureInfo.InvariantCulture)));
            }

            node.Add("error", item);
        }

        if (response.Body is { } body)
        {
            node.Add("body", Scalar(body.ValueKind == JsonValueKind.String ? body.GetString()! : body.GetRawText()));
            if (response.Status is { } status)
            {
                node.Add("status", Number(status));
            }
        }

        AddIf(node, "model", response.Model);
        AddIf(node, "finish_reason", response.FinishReason);
        if (response.Headers.Count > 0)
        {
            var headers = new YamlMappingNode();
            foreach (var (name, value) in response.Headers)
            {
                headers.Add(name, Scalar(value));
            }

            node.Add("headers", headers);
        }

        if (response.PromptTokens is not null || response.CompletionTokens is not null)
        {
            var usage = new YamlMappingNode();
            if (response.PromptTokens is { } prompt)
            {
                usage.Add("prompt_tokens", Number(prompt));
            }

            if (response.CompletionTokens is { } completion)
            {
                usage.Add("completion_tokens", Number(completion));
            }

            node.Add("usage", usage);
        }

        if (response.Delay > TimeSpan.Zero)
        {
            node.Add("delay_ms", Number((int)response.Delay.TotalMilliseconds));
        }

        if (response.Stream != StreamSettings.Default)
        {
            var stream = new YamlMappingNode();
            if (response.Stream.ChunkSize != 1)
            {
                stream.Add("chunk_size", Number(response.Stream.ChunkSize));
            }

            if (response.Stream.TimeToFirstToken > TimeSpan.Zero)
            {
                stream.Add("ttft_ms", Number((int)response.Stream.TimeToFirstToken.TotalMilliseconds));
            }

            if (response.Stream.TokensPerSecond is { } tps)
            {
                stream.Add("tokens_per_second", Scalar(tps.ToString(CultureInfo.InvariantCulture)));
            }

            node.Add("stream", stream);
        }

        if (!response.Fault.IsEmpty)
        {
            var fault = new YamlMappingNode();
            if (response.Fault.DropConnection)
            {
                fault.Add("drop_connection", "true");
            }

            if (response.Fault.DropAfterChunks is { } after)
            {
                fault.Add("drop_after_chunks", Number(after));
            }

            if (response.Fault.MalformedChunk is { } malformed)
            {
                fault.Add("malformed_chunk", Number(malformed));
            }

            node.Add("fault", fault);
        }

        return node;
    }

    private static void AddIf(YamlMappingNode node, string key, string? value)
    {
        if (value is not null)
        {
            node.Add(key, Scalar(value));
        }
    }

    private static YamlScalarNode Number(int value) => new(value.ToString(CultureInfo.InvariantCulture));

    // Text is always quoted (or a literal block when it spans lines) so that "yes", "1" or "null" stay text.
    private static YamlScalarNode Scalar(string text) => new(text)
    {
        Style = text.Contains('\n', StringComparison.Ordinal) && !text.EndsWith(' ') && !text.Contains("\n ", StringComparison.Ordinal) && !text.Contains('\t', StringComparison.Ordinal)
            ? ScalarStyle.Literal
            : ScalarStyle.DoubleQuoted,
    };
}
