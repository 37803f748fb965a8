using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.LoadTest;

/// <summary>
/// The Rasa CALM demo collection's turns (request bodies as the bot sends them, saved answers), grown to any
/// number of turns with other users' conversations: the same prompt with a different Conversation History
/// (each <c>USER:</c> line of the block tagged with the user's number), answered with the same saved body.
/// </summary>
internal static class RasaTurns
{
    private const string Heading = "Conversation History";

    /// <summary>One turn: its name, the request body (raw, as saved) and the saved answer body.</summary>
    public sealed record Turn(string Name, string Body, string Answer);

    /// <summary>The collection's turns, then copies for other users until there are <paramref name="count"/>.</summary>
    public static List<Turn> Read(string collectionPath, int count)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(collectionPath));
        var originals = new List<Turn>();
        foreach (var item in document.RootElement.GetProperty("item").EnumerateArray())
        {
            var response = item.GetProperty("response")[0];
            originals.Add(new Turn(
                response.TryGetProperty("name", out var name) ? name.GetString()! : item.GetProperty("name").GetString()!,
                item.GetProperty("request").GetProperty("body").GetProperty("raw").GetString()!,
                response.GetProperty("body").GetString()!));
        }

        var turns = new List<Turn>(count);
        for (var i = 0; i < count; i++)
        {
            var original = originals[i % originals.Count];
            var user = i / originals.Count;
            turns.Add(user == 0 ? original : original with { Name = $"{original.Name} [user {user}]", Body = TagHistory(original.Body, user) });
        }

        return turns;
    }

    /// <summary>
    /// Collections in <paramref name="folder"/> holding every turn as an item with one saved response (the demo's own
    /// shape), <paramref name="perFile"/> turns a file so that no file is huge.
    /// </summary>
    public static void WriteCollections(string folder, IReadOnlyList<Turn> turns, int perFile = 500)
    {
        Directory.CreateDirectory(folder);
        for (var part = 0; part * perFile < turns.Count; part++)
        {
            WriteCollection(Path.Combine(folder, $"part-{part:D3}.json"), [.. turns.Skip(part * perFile).Take(perFile)]);
        }
    }

    private static void WriteCollection(string path, IReadOnlyList<Turn> turns)
    {
        var items = new JsonArray();
        foreach (var turn in turns)
        {
            items.Add(new JsonObject
            {
                ["name"] = "https://api.openai.com/v1/chat/completions",
                ["request"] = new JsonObject
                {
                    ["method"] = "POST",
                    ["header"] = new JsonArray(new JsonObject { ["key"] = "Content-Type", ["value"] = "application/json" }),
                    ["body"] = new JsonObject { ["mode"] = "raw", ["raw"] = turn.Body },
                    ["url"] = "https://api.openai.com/v1/chat/completions",
                },
                ["response"] = new JsonArray(new JsonObject { ["name"] = turn.Name, ["code"] = 200, ["body"] = turn.Answer }),
            });
        }

        var collection = new JsonObject
        {
            ["info"] = new JsonObject { ["name"] = $"Rasa CALM demo, {turns.Count} turns", ["schema"] = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
            ["item"] = items,
        };
        File.WriteAllText(path, collection.ToJsonString());
    }

    /// <summary>
    /// mock-llm rules answering each turn: a JMESPath <c>contains</c> on the last message with the turn's whole
    /// history block (heading to separator), its nearest equivalent of matching the history. With
    /// <paramref name="catchAll"/>, one rule without a condition that answers every request with the first turn's
    /// answer (mock-llm's cheapest case; it does not serve the turns).
    /// </summary>
    public static void WriteMockLlm(string path, IReadOnlyList<Turn> turns, bool catchAll)
    {
        var rules = new JsonArray();
        foreach (var turn in catchAll ? turns.Take(1) : turns)
        {
            var rule = new JsonObject
            {
                ["path"] = "/v1/chat/completions",
                ["method"] = "POST",
                ["response"] = new JsonObject { ["status"] = 200, ["content"] = JsonNode.Parse(turn.Answer)!.ToJsonString() },
            };
            if (!catchAll)
            {
                // A JSON literal: jmespath.js unescapes only the first \' of a raw string, and the blocks hold several.
                rule["match"] = $"contains(body.messages[-1].content, `{JsonSerializer.Serialize(HistoryBlock(LastMessage(turn.Body)))}`)";
            }

            rules.Add(rule);
        }

        // Streams as fast as mock-llm can send them (its default waits 50 ms between chunks of 50 characters).
        var config = new JsonObject { ["streaming"] = new JsonObject { ["chunkSize"] = 50, ["chunkIntervalMs"] = 0 }, ["rules"] = rules };
        // YAML is a superset of JSON: mock-llm reads this as its YAML configuration.
        File.WriteAllText(path, config.ToJsonString());
    }

    /// <summary>The bodies separated by NUL bytes, for <c>bench/bodies.lua</c>; streamed ones with <c>"stream": true</c> added.</summary>
    public static void WriteBodies(string path, IReadOnlyList<Turn> turns, bool stream)
    {
        using var file = File.Create(path);
        for (var i = 0; i < turns.Count; i++)
        {
            if (i > 0)
            {
                file.WriteByte(0);
            }

            file.Write(Body(turns[i], stream));
        }
    }

    /// <summary>A turn's request body, as saved or with <c>"stream": true</c> added in front of its fields.</summary>
    public static byte[] Body(Turn turn, bool stream)
    {
        if (!stream)
        {
            return Encoding.UTF8.GetBytes(turn.Body);
        }

        var open = turn.Body.IndexOf('{', StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(string.Concat(turn.Body.AsSpan(0, open + 1), "\"stream\": true, ", turn.Body.AsSpan(open + 1)));
    }

    // In the body's JSON text the prompt's lines are separated by the two characters \n; only the block between
    // the heading and the next --- line changes.
    private static string TagHistory(string body, int user)
    {
        var start = body.IndexOf(Heading, StringComparison.Ordinal);
        var end = body.IndexOf("\\n---", start, StringComparison.Ordinal);
        var block = body[start..end].Replace("\\nUSER: ", $"\\nUSER: (user {user}) ", StringComparison.Ordinal);
        return string.Concat(body.AsSpan(0, start), block, body.AsSpan(end));
    }

    private static string LastMessage(string body)
    {
        using var document = JsonDocument.Parse(body);
        var messages = document.RootElement.GetProperty("messages");
        return messages[messages.GetArrayLength() - 1].GetProperty("content").GetString()!;
    }

    private static string HistoryBlock(string prompt)
    {
        var start = prompt.IndexOf(Heading, StringComparison.Ordinal);
        var end = prompt.IndexOf("\n---", start, StringComparison.Ordinal);
        return prompt[start..(end + 4)];
    }
}
