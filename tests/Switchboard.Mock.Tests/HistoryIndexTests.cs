using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Switchboard.Hosting.Http;
using Switchboard.Mock.Fixtures;
using Switchboard.Mock.Matching;
using Switchboard.OpenAI;

namespace Switchboard.Mock.Tests;

/// <summary>
/// A scanned body's history key is written straight from its block's text and looked up in the fixtures' index without
/// a string: it must be exactly the key of the parsed turns, find the same fixture, and fall back to scoring every
/// fixture when the index does not hold it.
/// </summary>
public sealed class HistoryIndexTests
{
    private static readonly JsonSerializerOptions Escaping = new() { Encoder = JavaScriptEncoder.Default };

    private static readonly JsonSerializerOptions Raw = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Theory]
    [InlineData("USER: hi\nAI: hello")]
    [InlineData("  user:   two   spaces\t\ttabs  \nassistant: bot\nhuman: h\nbot: b\nSystem: s")]
    [InlineData("USER: first line\ncontinued here\n   and here  \nAI: next")]
    [InlineData("a first line without a speaker\nUSER: then one")]
    [InlineData("\n\n   \nUSER: after blank lines\n\n\nAI: and between\n")]
    [InlineData("USER:\ncontinues an empty turn\nAI:")]
    [InlineData("USER:no space\nAI :not a speaker\n\"AI\": nor this")]
    [InlineData("USER: nbsp\u00a0inside\u2003em\u3000ideographic\r\nAI: crlf\r\n")]
    [InlineData("USER: \u200bzero width\ufeff and bom \u200b\n\u200b\nAI: x")]
    [InlineData("\u200b\nUSER: a zero-width line first")]
    [InlineData("USER: caf\u00e9 😀 \u2028 line separator")]
    [InlineData("")]
    [InlineData("   \n  ")]
    public void TheKeyWrittenFromABlockIsTheKeyOfItsParsedTurns(string block) =>
        Assert.Equal(ConversationHistory.ToKey(ConversationHistory.Parse(block)), WriteKey(block));

    [Fact]
    public void RandomBlocksOfAwkwardTextGiveTheKeysOfTheirParsedTurns()
    {
        string[] pieces = ["USER:", "AI:", "assistant:", "Bot:", "HUMAN:", "system:", "user", ":", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u200b", "\ufeff", "\u2028", "word", "é", "😀", "-", "---", "\\", "\""];
        var random = new Random(14);
        for (var i = 0; i < 2_000; i++)
        {
            var text = new StringBuilder();
            for (var n = random.Next(0, 30); n > 0; n--)
            {
                text.Append(pieces[random.Next(pieces.Length)]);
            }

            var block = text.ToString();
            Assert.Equal(ConversationHistory.ToKey(ConversationHistory.Parse(block)), WriteKey(block));

            // Through the whole scan as well, with the text written as JSON escapes and as raw UTF-8.
            var prompt = "Some instructions.\n## Conversation History\n" + block + "\n---\nYour action list:";
            foreach (var options in new[] { Escaping, Raw })
            {
                var bytes = Body(prompt, options);
                var scanned = MockRequest.TryCreate(bytes);
                if (scanned is null)
                {
                    // A raw control character is not the scan's to read (the full reader refuses it too).
                    continue;
                }

                var parsed = MockRequest.Create(OpenAIRequestReader.Parse(bytes, OpenAIJsonContext.Default.ChatCompletionRequest).Value!, bytes);
                Assert.Equal(parsed.HistoryKey, scanned.HistoryKey);
                Assert.Equal(parsed.History, scanned.History);
            }
        }
    }

    [Fact]
    public void AScannedRequestFindsItsFixtureThroughTheIndexAndScoresOnlyIt()
    {
        var set = Set(["USER: I want a pizza", "AI: Which one?"], ["USER: I want a pizza", "AI: Which one?", "USER: diavola"], ["USER: hello"]);

        var outcome = set.Match(Scanned("## Conversation History\nUSER:   I want a pizza\n  AI: Which\n one?\nUSER: diavola\n---\nrest"));

        Assert.Equal("turn 1", outcome.Fixture!.Id);
        Assert.Equal(1, outcome.CandidatesScored);
    }

    [Fact]
    public void AHistoryThatIsAPrefixOfAFixturesOrLongerIsNotMatchedByIt()
    {
        var set = Set(["USER: I want a pizza", "AI: Which one?"]);

        Assert.False(set.Match(Scanned("## Conversation History\nUSER: I want a pizza\n---")).IsMatch);
        Assert.False(set.Match(Scanned("## Conversation History\nUSER: I want a pizza\nAI: Which one?\nUSER: diavola\n---")).IsMatch);
        Assert.False(set.Match(Scanned("## Conversation History\nUSER: I want a pizza\nAI: Which one?!\n---")).IsMatch);
        Assert.True(set.Match(Scanned("## Conversation History\nUSER: I want a pizza\nAI: Which one?\n---")).IsMatch);
    }

    [Fact]
    public void ANearMissIsScoredAgainstEveryFixtureAsForTheParsedRequest()
    {
        var set = Set(["USER: I want a pizza", "AI: Which one?", "USER: 2 please"], ["USER: hello"]);
        const string Prompt = "## Conversation History\nUSER: I want a pizza\nAI: Which one?\nUSER: 3 please\n---";
        var bytes = Body(Prompt, Raw);
        var parsed = MockRequest.Create(OpenAIRequestReader.Parse(bytes, OpenAIJsonContext.Default.ChatCompletionRequest).Value!, bytes);

        var scanned = set.Match(MockRequest.TryCreate(bytes)!);
        var expected = set.Match(parsed);

        Assert.False(scanned.IsMatch);
        Assert.Equal("turn 0", scanned.NearMisses[0].Fixture.Id);
        Assert.Contains("expected 'USER: 2 please', got 'USER: 3 please'", scanned.NearMisses[0].Differences[0], StringComparison.Ordinal);
        Assert.Equal(expected.NearMisses.Select(n => (n.Fixture.Id, n.Score, string.Join("|", n.Differences))), scanned.NearMisses.Select(n => (n.Fixture.Id, n.Score, string.Join("|", n.Differences))));
    }

    [Fact]
    public void ARequestWithoutAHistoryIsNotMatchedByAnEmptyHistory()
    {
        var set = FixtureSet.Create([new Fixture { Id = "empty", Name = "empty", Matchers = [new HistoryMatcher([])], Responses = [new FixtureResponse { Content = "x" }] }]);

        Assert.False(set.Match(Scanned("no heading here\nUSER: hi")).IsMatch);
        Assert.True(set.Match(Scanned("## Conversation History\n\n---")).IsMatch);
    }

    private static string WriteKey(string block)
    {
        // Exactly as long as WriteKey promises to need.
        var key = new char[block.Length + 1];
        return new string(key, 0, ConversationHistory.WriteKey(block, key));
    }

    private static FixtureSet Set(params string[][] histories) => FixtureSet.Create(histories.Select((turns, i) => new Fixture
    {
        Id = $"turn {i}",
        Name = $"turn {i}",
        Matchers = [new HistoryMatcher(ConversationHistory.Parse(string.Join('\n', turns)))],
        Responses = [new FixtureResponse { Content = $"answer {i}" }],
    }));

    private static MockRequest Scanned(string prompt) => MockRequest.TryCreate(Body(prompt, Raw))!;

    private static byte[] Body(string prompt, JsonSerializerOptions options) =>
        Encoding.UTF8.GetBytes("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":" + JsonSerializer.Serialize(prompt, options) + "}]}");
}
