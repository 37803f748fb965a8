using System.Text;
using System.Text.Json;
using Switchboard.Hosting.Http;
using Switchboard.Mock.Loading;
using Switchboard.Mock.Matching;
using Switchboard.Mock.Testing;
using Switchboard.OpenAI;
using Switchboard.Validation;

namespace Switchboard.Mock.Tests;

/// <summary>
/// The one-scan read of plain chat bodies (<see cref="MockRequest.TryCreate"/>) against the full reader: the same
/// views, matches and answer bytes, and every body outside the plain shape left to the full reader.
/// </summary>
public sealed class PlainBodyScanTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryRasaTurnGetsTheSameBytesThroughTheScanAsThroughTheFullReader()
    {
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixturesFrom(TestData.RasaCollection), Ct);
        using var http = mock.CreateClient();
        var bodies = RasaBodies();
        Assert.Equal(19, bodies.Count);

        foreach (var (name, body) in bodies)
        {
            Assert.NotNull(MockRequest.TryCreate(Encoding.UTF8.GetBytes(body)));
            foreach (var stream in new[] { false, true })
            {
                var plain = stream ? "{\"stream\": true, " + body.TrimStart()[1..] : body;
                // A field the scan leaves to the full reader and the answer does not depend on.
                var full = "{\"user\": \"u-1\", " + plain.TrimStart()[1..];
                Assert.Null(MockRequest.TryCreate(Encoding.UTF8.GetBytes(full)));

                var scanned = await PostAsync(http, plain);
                var parsed = await PostAsync(http, full);

                Assert.Equal(200, scanned.Status);
                Assert.Equal(parsed.ContentType, scanned.ContentType);
                Assert.Equal(parsed.Bytes, scanned.Bytes);
                Assert.Equal(name, mock.Journal.Entries[^1].FixtureName);
                Assert.Equal(name, mock.Journal.Entries[^2].FixtureName);
            }
        }

        mock.Journal.AssertNoMisses();
    }

    [Fact]
    public void AScannedRasaTurnHasTheViewsOfTheParsedOne()
    {
        foreach (var (_, body) in RasaBodies())
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            var scanned = MockRequest.TryCreate(bytes)!;
            var parsed = MockRequest.Create(OpenAIRequestReader.Parse(bytes, OpenAIJsonContext.Default.ChatCompletionRequest).Value!, bytes);

            AssertSameViews(parsed, scanned);
            Assert.NotNull(scanned.History);
        }
    }

    [Fact]
    public void TheScanMatchesEveryRasaTurnToTheFixtureTheParsedRequestMatches()
    {
        var engine = new MockEngine();
        engine.SetAllFileFixtures(FixtureLoader.LoadAll(TestData.RasaCollection));
        foreach (var (name, body) in RasaBodies())
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            var parsed = MockRequest.Create(OpenAIRequestReader.Parse(bytes, OpenAIJsonContext.Default.ChatCompletionRequest).Value!, bytes);

            Assert.Equal(name, engine.Match(MockRequest.TryCreate(bytes)!).Fixture?.Name);
            Assert.Equal(name, engine.Match(parsed).Fixture?.Name);
        }
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"plain"}]}""")]
    [InlineData("""  {  "messages" : [ { "content" : "spaced" , "role" : "user" } ] , "model" : "m" , "stream" : false }  """)]
    [InlineData("""{"model":"m","stream":true,"messages":[{"role":"system","content":"s"},{"role":"user","content":"u"},{"role":"assistant","content":""},{"role":"developer","content":"d"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"quote \" slash \\ solidus \/ controls \b\f\n\r\t e-acute \u00e9 \u00E9 é emoji \ud83d\ude00 😀"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"## Conversation History\nUSER: caf\u00e9 \"x\"\nAI: ok\\n\nUSER: 😀 \u2028 end\n---\nrest"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"system","content":"Conversation History:\nUSER: from the system prompt"},{"role":"user","content":"no block here"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"The Conversation History below.\nConversation History: recent\n## conversation history:  \n\tUSER: hi\n\"AI\": \\n no\nAI: \/ok\r\n\n  ---  \nafter"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x \\nConversation History\\n\nUSER: a\\\nAI: b"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"mentions Conversation History twice: Conversation History\nUSER: first only"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"## Conversation History"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"## Conversation History\n"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"## CONVERSATION HISTORY\\\\\nUSER: \\u0041 literal\n---"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"## Conversation History\nUSER: \u0041 escaped \u00e9\n---"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"## Conversation History\nUSER: d\u00e9j\u00e0 \"vu\"\n---\n## Conversation History\nUSER: second"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"no heading at all\n\nUSER: hi"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"n"}],"temperature":0,"top_p":1,"max_tokens":256,"max_completion_tokens":1}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"n"}],"temperature":2.0,"top_p":0.25,"max_tokens":2147483647}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"n"}],"temperature":-0,"top_p":0.000}""")]
    public void APlainBodyIsReadByTheScanWithTheSameViews(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var scanned = MockRequest.TryCreate(bytes);
        var parsed = OpenAIRequestReader.Parse(bytes, OpenAIJsonContext.Default.ChatCompletionRequest);

        Assert.NotNull(scanned);
        Assert.Null(parsed.Error ?? ChatRequestValidator.Validate(parsed.Value!));
        AssertSameViews(MockRequest.Create(parsed.Value!, bytes), scanned);
        Assert.Equal(JsonSerializer.Serialize(parsed.Value, OpenAIJsonContext.Default.ChatCompletionRequest), JsonSerializer.Serialize(scanned.Request, OpenAIJsonContext.Default.ChatCompletionRequest));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("null")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"seed":0}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":2.5}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":-0.1}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":1e0}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":01}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":1.}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":.5}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":"1"}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":null}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":1,"temperature":1}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"top_p":1.5}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":0}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":2.0}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":2147483648}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":-5}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":0}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":256x}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi","name":"n"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":null}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user"}]}""")]
    [InlineData("""{"model":"m","messages":[{"content":"hi"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"tool","content":"hi"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"robot","content":"hi"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"USER","content":"hi"}]}""")]
    [InlineData("""{"model":"m","messages":[]}""")]
    [InlineData("""{"model":"m","messages":{}}""")]
    [InlineData("""{"model":"m"}""")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("""{"model":"","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("""{"model":"  ","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("""{"model":null,"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("""{"model":1,"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("""{"model":"m\u0031","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("""{"mod\u0065l":"m","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("""{"Model":"m","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("""{"model":"m","model":"n","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","role":"user","content":"hi"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":null}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":"true"}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":truex}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"},]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}]}x""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}]}{}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}]""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"bad \x escape"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"short \u12 escape"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"lone \ud800 high"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"lone \udc00 low"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"reversed \udc00\ud800"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"ends in a backslash \"}]}""")]
    [InlineData("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}] // comment\n}")]
    public void ABodyOutsideThePlainShapeIsLeftToTheFullReader(string body) =>
        Assert.Null(MockRequest.TryCreate(Encoding.UTF8.GetBytes(body)));

    [Fact]
    public void AnUnvalidatableModelOrRawControlCharacterOrBadUtf8IsLeftToTheFullReader()
    {
        var longModel = "{\"model\":\"" + new string('m', 257) + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        var control = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\u0001b\"}]}";
        var tab = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\tb\"}]}";
        var badUtf8 = Encoding.UTF8.GetBytes("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a?b\"}]}");
        badUtf8[Array.IndexOf(badUtf8, (byte)'?')] = 0xC3;

        Assert.Null(MockRequest.TryCreate(Encoding.UTF8.GetBytes(longModel)));
        Assert.Null(MockRequest.TryCreate(Encoding.UTF8.GetBytes(control)));
        Assert.Null(MockRequest.TryCreate(Encoding.UTF8.GetBytes(tab)));
        Assert.Null(MockRequest.TryCreate(badUtf8));
        Assert.NotNull(MockRequest.TryCreate(Encoding.UTF8.GetBytes(longModel.Replace(new string('m', 257), new string('m', 256), StringComparison.Ordinal))));
    }

    [Fact]
    public void EscapesQuotesAndHeadingsAreReadTheSameWhereverTheyFallInTheScansBlocks()
    {
        // The scan reads 32 bytes at a time and the heading search 32 positions at a time: every piece at every offset
        // of a block, and near the end of the text, where both finish byte by byte.
        string[] pieces = ["\\n", "\\\"", "\\\\", "\\/", "\\t", "\\u00e9", "\\ud83d\\ude00", "é", "😀", "\\\\n", "\\\\\\n", "\\r\\n"];
        string[] headings = ["## Conversation History", "CONVERSATION HISTORY:", "conversation historY", "Conversation History mentioned"];
        for (var offset = 0; offset < 70; offset++)
        {
            foreach (var piece in pieces)
            {
                var heading = headings[offset % headings.Length];
                foreach (var content in new[]
                {
                    new string('a', offset) + piece + new string('b', 40 - (offset % 7)) + "\\n" + heading + "\\nUSER: hi" + piece + "\\nAI: ok\\n---\\nrest",
                    new string('a', offset) + heading + "\\nUSER: x" + piece,
                    piece + new string('c', offset),
                })
                {
                    var bytes = Encoding.UTF8.GetBytes("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}");
                    var scanned = MockRequest.TryCreate(bytes);
                    var parsed = OpenAIRequestReader.Parse(bytes, OpenAIJsonContext.Default.ChatCompletionRequest);

                    Assert.NotNull(scanned);
                    AssertSameViews(MockRequest.Create(parsed.Value!, bytes), scanned);
                }
            }
        }
    }

    [Fact]
    public void ABadEscapeOrControlCharacterIsLeftToTheFullReaderWhereverItFalls()
    {
        string[] bad = ["\\x", "\\u12G4", "\\ud800", "\\udc00", "\\ud800\\u0041", "\u0001", "\t", "\n", "\u001f"];
        for (var offset = 0; offset < 70; offset++)
        {
            foreach (var piece in bad)
            {
                var content = new string('a', offset) + "\\n" + piece + new string('b', 70 - offset);
                var bytes = Encoding.UTF8.GetBytes("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}");

                Assert.Null(MockRequest.TryCreate(bytes));
                Assert.NotNull(OpenAIRequestReader.Parse(bytes, OpenAIJsonContext.Default.ChatCompletionRequest).Error);
            }
        }
    }

    private static void AssertSameViews(MockRequest expected, MockRequest actual)
    {
        Assert.Equal(expected.Model, actual.Model);
        Assert.Equal(expected.IsStreaming, actual.IsStreaming);
        Assert.Equal(expected.History, actual.History);
        Assert.Equal(expected.HistoryKey, actual.HistoryKey);
        Assert.Equal(expected.LastUserMessage, actual.LastUserMessage);
        Assert.Equal(expected.SystemPrompt, actual.SystemPrompt);
        Assert.Equal(expected.Messages, actual.Messages);
        Assert.Equal(expected.ConversationKey, actual.ConversationKey);
        Assert.Equal(expected.Summarize(), actual.Summarize());
        Assert.Equal(expected.WantsStreamUsage, actual.WantsStreamUsage);
        Assert.Equal(expected.ChoiceCount, actual.ChoiceCount);
    }

    private static List<(string Name, string Body)> RasaBodies()
    {
        using var collection = JsonDocument.Parse(File.ReadAllText(TestData.RasaCollection));
        return [.. collection.RootElement.GetProperty("item").EnumerateArray().Select(item => (
            item.GetProperty("response")[0].GetProperty("name").GetString()!,
            item.GetProperty("request").GetProperty("body").GetProperty("raw").GetString()!))];
    }

    private static async Task<(int Status, string? ContentType, byte[] Bytes)> PostAsync(HttpClient http, string body)
    {
        using var response = await http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), await response.Content.ReadAsByteArrayAsync(Ct));
    }
}
