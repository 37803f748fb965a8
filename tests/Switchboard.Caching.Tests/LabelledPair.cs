using System.Text.Json;
using Switchboard.OpenAI;

namespace Switchboard.Caching.Tests;

/// <summary>One line of TestData/semantic-pairs.jsonl: a cached request (a), a new one (b), and whether b may be answered from a.</summary>
internal sealed record LabelledPair(string Expect, string Kind, string Split, string A, string B, PairScope AScope, PairScope BScope)
{
    public const string DefaultModel = "gpt-4o-mini";
    public const string DefaultSystem = "You are a helpful assistant.";
    public const string DefaultNamespace = "key:test";

    public bool ShouldHit => Expect == "hit";

    public static IReadOnlyList<LabelledPair> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "semantic-pairs.jsonl");
        var pairs = new List<LabelledPair>();
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            pairs.Add(new LabelledPair(
                root.GetProperty("expect").GetString()!,
                root.GetProperty("kind").GetString()!,
                root.TryGetProperty("split", out var split) ? split.GetString()! : "main",
                root.GetProperty("a").GetString()!,
                root.GetProperty("b").GetString()!,
                PairScope.Read(root, "a_scope"),
                PairScope.Read(root, "b_scope")));
        }

        return pairs;
    }

    public override string ToString() => $"{Kind}: \"{A}\" / \"{B}\"";
}

/// <summary>What surrounds one side's text: model, system prompt, tools, response format, namespace, earlier turns.</summary>
internal sealed record PairScope(string Model, string System, IReadOnlyList<string> Tools, string? ResponseFormat, string Namespace, IReadOnlyList<string> History)
{
    public static PairScope Read(JsonElement root, string name)
    {
        root.TryGetProperty(name, out var scope);
        string? Get(string key) => scope.ValueKind == JsonValueKind.Object && scope.TryGetProperty(key, out var value) ? value.GetString() : null;
        IReadOnlyList<string> List(string key) => scope.ValueKind == JsonValueKind.Object && scope.TryGetProperty(key, out var value)
            ? [.. value.EnumerateArray().Select(v => v.GetString()!)]
            : [];
        return new PairScope(
            Get("model") ?? LabelledPair.DefaultModel,
            Get("system") ?? LabelledPair.DefaultSystem,
            List("tools"),
            Get("response_format"),
            Get("namespace") ?? LabelledPair.DefaultNamespace,
            List("history"));
    }

    /// <summary>The chat request a client would send with <paramref name="text"/> as its last message.</summary>
    public ChatCompletionRequest Request(string text)
    {
        var messages = new List<ChatMessage> { ChatMessage.System(System) };
        foreach (var turn in History)
        {
            messages.Add(ChatMessage.User(turn));
            messages.Add(ChatMessage.Assistant("Sure."));
        }

        messages.Add(ChatMessage.User(text));
        return new ChatCompletionRequest
        {
            Model = Model,
            Messages = messages,
            Temperature = 0,
            Tools = Tools.Count == 0 ? null : [.. Tools.Select(t => new ChatTool { Type = "function", Function = new FunctionDefinition { Name = t } })],
            ResponseFormat = ResponseFormat is null ? null : JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["type"] = ResponseFormat }),
        };
    }
}
