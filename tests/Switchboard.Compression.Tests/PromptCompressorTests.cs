using System.Text.Json;
using System.Text.RegularExpressions;
using Switchboard.Compression;
using Switchboard.Tokens;

namespace Switchboard.Compression.Tests;

public sealed partial class PromptCompressorTests
{
    private static readonly PromptCompressor Compressor = new(new PromptCompressionOptions(), TiktokenTokenCounter.Instance.CountTokens);

    private static string One(string text, PromptCompressor? compressor = null) =>
        (compressor ?? Compressor).Compress([new PromptPart("user", text)]).Texts[0];

    [Fact]
    public void NormalizesWhitespaceAndMarkup()
    {
        var text = "## Task   Description  \nDo   the thing.\n\n\n\n---\n<!-- internal note -->Then stop.\n   indented stays";

        Assert.Equal("## Task Description\nDo the thing.\n\nThen stop.\n   indented stays", One(text));
    }

    [Fact]
    public void RemovesFillersAndKeepsTheCapital()
    {
        Assert.Equal("You must reply in JSON to help the parser. Because it is strict, be careful.",
            One("Please note that you must reply in JSON in order to help the parser. Due to the fact that it is strict, be careful."));
    }

    [Fact]
    public void NeverChangesCodeQuotesOrInlineCode()
    {
        var text = "Run   this:\n```python\ndef  f():\n    return  \"in  order to\"   \n```\nand `in  order to` and \"please note that  x\" stay.";

        var compressed = One(text);

        Assert.Contains("```python\ndef  f():\n    return  \"in  order to\"   \n```", compressed);
        Assert.Contains("`in  order to`", compressed);
        Assert.Contains("\"please note that  x\"", compressed);
        Assert.StartsWith("Run this:", compressed);
    }

    [Fact]
    public void MinifiesValidJsonWithoutChangingAValue()
    {
        var json = "{\n  \"name\": \"Ann  Lee\",\n  \"amount\": 10.50,\n  \"tags\": [ \"a b\", null, true ]\n}";
        var text = $"Data:\n```json\n{json}\n```\n\n{json}";

        var compressed = One(text);

        Assert.Equal("Data:\n```json\n{\"name\":\"Ann  Lee\",\"amount\":10.50,\"tags\":[\"a b\",null,true]}\n```\n\n{\"name\":\"Ann  Lee\",\"amount\":10.50,\"tags\":[\"a b\",null,true]}", compressed);
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(json).RootElement, JsonDocument.Parse(compressed[(compressed.LastIndexOf('\n') + 1)..]).RootElement));
    }

    [Fact]
    public void InvalidJsonIsLeftAsItIs()
    {
        var text = "```json\n{'a': True,   'b': [1, 2]}\n```";

        Assert.Equal(text, One(text));
    }

    [Fact]
    public void AParagraphRepeatedFromAnEarlierMessageIsReplaced()
    {
        var boilerplate = string.Join(' ', Enumerable.Repeat("You are a helpful banking assistant that follows the rules.", 5));
        var result = Compressor.Compress([new PromptPart("system", boilerplate), new PromptPart("user", $"{boilerplate}\n\nWhat is my balance?")]);

        Assert.Equal(boilerplate, result.Texts[0]);
        Assert.Equal("[repeated paragraph omitted: same as earlier]\n\nWhat is my balance?", result.Texts[1]);
        Assert.True(result.TokensSaved > 40);
    }

    [Fact]
    public void ToolResultsAreNeverChanged()
    {
        var result = Compressor.Compress([new PromptPart("tool", "{\n  \"a\":   1\n}\n\n\n"), new PromptPart("user", "in order to   win")]);

        Assert.Equal("{\n  \"a\":   1\n}\n\n\n", result.Texts[0]);
        Assert.Equal("to win", result.Texts[1]);
    }

    [Fact]
    public void AbbreviationsComeWithTheirLegendOnlyWhenTheyPay()
    {
        var table = new Dictionary<string, string> { ["electroencephalography"] = "eeg", ["configuration"] = "cfg" };
        var abbreviating = new PromptCompressor(new PromptCompressionOptions { Abbreviations = true, AbbreviationTable = table }, TiktokenTokenCounter.Instance.CountTokens);
        var text = string.Join(' ', Enumerable.Repeat("The electroencephalography configuration shows electroencephalography data.", 6));

        var result = abbreviating.Compress([new PromptPart("user", text)]);

        Assert.Equal("Abbreviations used below: eeg = electroencephalography.", result.Legend);
        Assert.DoesNotContain("electroencephalography", result.Texts[0]);
        // "configuration" is one token already: abbreviating it would cost its legend entry and save nothing.
        Assert.Contains("configuration", result.Texts[0]);
        Assert.True(result.CompressedTokens < result.OriginalTokens);

        var once = abbreviating.Compress([new PromptPart("user", "One electroencephalography only.")]);
        Assert.Null(once.Legend);
    }

    [Fact]
    public void APromptThatCannotShrinkComesBackUnchanged()
    {
        var result = Compressor.Compress([new PromptPart("user", "Hi there")]);

        Assert.Equal("Hi there", result.Texts[0]);
        Assert.Equal(0, result.TokensSaved);
    }

    [Fact]
    public void RasaPromptsKeepEveryNumberNameAndProtectedSpanAndSaveTokens()
    {
        var saved = 0;
        var total = 0;
        foreach (var prompt in RasaPrompts())
        {
            var result = Compressor.Compress([new PromptPart("user", prompt)]);
            var compressed = result.Texts[0];
            Assert.Equal(Protected(prompt), Protected(compressed));
            saved += result.TokensSaved;
            total += result.OriginalTokens;
        }

        Assert.True(saved > 0, "no tokens saved on the Rasa prompts");
        TestContext.Current.TestOutputHelper?.WriteLine($"Rasa prompts: {saved} of {total} tokens saved ({100.0 * saved / total:0.0} %)");
    }

    /// <summary>Numbers, capitalised words and protected spans, in order: what compression must keep.</summary>
    private static string[] Protected(string text) =>
        [.. PromptCompressor.Segments(text).Where(s => s.Protected && !s.Text.StartsWith("```json", StringComparison.Ordinal)).Select(s => s.Text),
         .. KeptWord().Matches(text).Select(m => m.Value)];

    internal static IEnumerable<string> RasaPrompts()
    {
        var collection = JsonDocument.Parse(File.ReadAllText(RasaCollectionPath()));
        foreach (var body in Bodies(collection.RootElement))
        {
            foreach (var message in JsonDocument.Parse(body).RootElement.GetProperty("messages").EnumerateArray())
            {
                yield return message.GetProperty("content").GetString()!;
            }
        }

        static IEnumerable<string> Bodies(JsonElement node)
        {
            foreach (var item in node.GetProperty("item").EnumerateArray())
            {
                if (item.TryGetProperty("item", out _))
                {
                    foreach (var body in Bodies(item))
                    {
                        yield return body;
                    }
                }
                else
                {
                    yield return item.GetProperty("request").GetProperty("body").GetProperty("raw").GetString()!;
                }
            }
        }
    }

    private static string RasaCollectionPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fixtures", "rasa-calm-demo", "collection.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("shared/fixtures/rasa-calm-demo was not found beside the repository.");
    }

    [GeneratedRegex(@"\d+(?:\.\d+)?|\b[A-Z][A-Za-z]+\b")]
    private static partial Regex KeptWord();
}
