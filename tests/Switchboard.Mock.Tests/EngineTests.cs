using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Mock.Fixtures;
using Switchboard.Mock.Loading;
using Switchboard.Mock.Matching;
using Switchboard.Mock.Recording;
using Switchboard.Mock.Replies;
using Switchboard.OpenAI;

namespace Switchboard.Mock.Tests;

/// <summary>The engine without HTTP: parsing, matching rules, the index, YAML errors, the writer, time.</summary>
public sealed class EngineTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static MockRequest Request(string user, string model = "gpt-4o", params ChatMessage[] before) =>
        MockRequest.Create(new ChatCompletionRequest { Model = model, Messages = [.. before, ChatMessage.User(user)] });

    [Fact]
    public void TheHistoryBlockIsFoundAndParsedWhateverItsSpacing()
    {
        const string prompt = "Read the Conversation History below.\n\n## Conversation History\n\nUSER:   I'd like a pizza\nAI: Which one?\nIt comes in three sizes.\nuser: \"Diavola\", größer\n\n---\n\n## Task\nUSER: not history";

        var turns = ConversationHistory.TryExtract(prompt)!;

        Assert.Equal(
            [new HistoryTurn("USER", "I'd like a pizza"), new HistoryTurn("AI", "Which one? It comes in three sizes."), new HistoryTurn("USER", "\"Diavola\", größer")],
            turns);
        Assert.Null(ConversationHistory.TryExtract("no block here"));
    }

    [Theory]
    [InlineData(TextComparison.Equals, "hello  world", "hello world", true)]
    [InlineData(TextComparison.Equals, "Hello", "hello", false)]
    [InlineData(TextComparison.Contains, "lo wo", "hello world", true)]
    [InlineData(TextComparison.Regex, @"^h\w+ w", "hello world", true)]
    [InlineData(TextComparison.Glob, "h?llo *", "hello world", true)]
    [InlineData(TextComparison.Glob, "[hj]ello", "jello", true)]
    [InlineData(TextComparison.Glob, "hello", "hello world", false)]
    public void TextPatterns(TextComparison comparison, string pattern, string text, bool expected) =>
        Assert.Equal(expected, new TextPattern(comparison, pattern).IsMatch(text));

    [Fact]
    public void IgnoreCaseAndScoresOfNearTexts()
    {
        Assert.True(TextPattern.EqualTo("HELLO", ignoreCase: true).IsMatch("hello"));
        var pattern = TextPattern.EqualTo("I want to add someone to my contact list");
        Assert.InRange(pattern.Score("I want to add someone to my friends"), 0.5, 0.9);
        Assert.Equal(0, TextPattern.Containing("x").Score("abc"));
    }

    [Fact]
    public void JsonPathsCompareByMeaning()
    {
        var body = JsonDocument.Parse("""{"model":"m","temperature":0.0,"metadata":{"b":2,"a":[1,"x"]},"messages":[{"role":"user","content":"hi"}]}""").RootElement;
        var request = MockRequest.Create(new ChatCompletionRequest { Model = "m", Messages = [ChatMessage.User("hi")] }, body);

        Assert.Equal(1, new JsonPathMatcher(JsonPath.Parse("$.temperature"), TextPattern.EqualTo("0")).Score(request));
        Assert.Equal(1, new JsonPathMatcher(JsonPath.Parse("metadata"), TextPattern.EqualTo("""{ "a": [1, "x"], "b": 2 }""")).Score(request));
        Assert.Equal(1, new JsonPathMatcher(JsonPath.Parse("$.messages[-1]['content']"), TextPattern.EqualTo("hi")).Score(request));
        Assert.Equal(0, new JsonPathMatcher(JsonPath.Parse("$.missing"), TextPattern.EqualTo("hi")).Score(request));
    }

    [Fact]
    public void TenThousandFixturesAreMatchedThroughTheIndexNotAScan()
    {
        var fixtures = Enumerable.Range(0, 10_000).Select(i => new Fixture
        {
            Id = $"f{i}",
            Name = $"f{i}",
            Matchers = i % 2 == 0
                ? [new FieldMatcher(RequestField.LastUserMessage, TextPattern.EqualTo($"question {i}"))]
                : [new HistoryMatcher([new HistoryTurn("USER", $"question {i}")])],
            Responses = [new FixtureResponse { Content = $"answer {i}" }],
        }).Append(new Fixture
        {
            Id = "glob",
            Name = "glob",
            Matchers = [new FieldMatcher(RequestField.LastUserMessage, TextPattern.Like("special *"))],
            Responses = [new FixtureResponse { Content = "special" }],
        });
        var set = FixtureSet.Create(fixtures);

        var byMessage = set.Match(Request("question 4242"));
        Assert.Equal("f4242", byMessage.Fixture!.Id);
        Assert.True(byMessage.CandidatesScored <= 2, $"scored {byMessage.CandidatesScored} fixtures");

        var byHistory = set.Match(Request("## Conversation History\nUSER: question 4243\n---"));
        Assert.Equal("f4243", byHistory.Fixture!.Id);

        Assert.Equal("glob", set.Match(Request("special offer")).Fixture!.Id);

        var miss = set.Match(Request("question 4242!"));
        Assert.False(miss.IsMatch);
        Assert.Equal("f4242", miss.NearMisses[0].Fixture.Id);
    }

    [Fact]
    public void PriorityBeatsSpecificityAndSpecificityBeatsLoadOrder()
    {
        var set = FixtureSet.Create(FixtureLoader.Parse("""
            - name: loose
              match: { last_user: { contains: hi } }
              response: loose
            - name: exact
              match: { last_user: hi there }
              response: exact
            - name: exact with model
              match: { last_user: hi there, model: gpt-4o }
              response: exact with model
            - name: forced
              priority: 5
              match: { last_user: { glob: "*there" } }
              response: forced
            """, "t.yaml"));
        Assert.Equal("forced", set.Match(Request("hi there")).Fixture!.Name);
        Assert.Equal("forced", set.Match(Request("hi there", "other-model")).Fixture!.Name);
        Assert.Equal("loose", set.Match(Request("hi you")).Fixture!.Name);

        var withoutForced = FixtureSet.Create(set.Fixtures.Where(f => f.Name != "forced"));
        Assert.Equal("exact with model", withoutForced.Match(Request("hi there")).Fixture!.Name);
        Assert.Equal("exact", withoutForced.Match(Request("hi there", "other-model")).Fixture!.Name);
    }

    [Theory]
    [InlineData("- match: { last_user: x }\n  respons: y\n", 2, "unknown key 'respons' in a fixture")]
    [InlineData("- match: { last_usr: x }\n  response: y\n", 1, "unknown key 'last_usr' in 'match'")]
    [InlineData("- match:\n    last_user: { regex: '[' }\n  response: y\n", 2, "invalid regular expression")]
    [InlineData("- match: { last_user: x }\n", 1, "needs a 'response'")]
    [InlineData("- match: { last_user: x\n  response: y\n", 1, "not valid YAML")]
    [InlineData("- response: { error: { status: 99 } }\n", 1, "'status' must be an HTTP status")]
    [InlineData("- response: { stream: { ttft_ms: soon } }\n", 1, "'ttft_ms' must be a duration")]
    [InlineData("- response: y\n  state: paid\n", 1, "need a 'scenario'")]
    public void YamlMistakesNameTheirLine(string yaml, int line, string problem)
    {
        var error = Assert.Throws<FixtureLoadException>(() => FixtureLoader.Parse(yaml, "f.yaml")).Error;
        Assert.Equal("f.yaml", error.File);
        Assert.Equal(line, error.Line);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TheYamlWriterRoundTripsEverySample()
    {
        var original = FixtureLoader.LoadAll(TestData.Samples).Values.SelectMany(f => f).ToList();
        var written = FixtureYamlWriter.Write(original);

        var reread = FixtureLoader.Parse(written, "written.yaml");

        Assert.Equal(original.Count, reread.Count);
        for (var i = 0; i < original.Count; i++)
        {
            Assert.Equal(original[i].Name, reread[i].Name);
            Assert.Equal(original[i].Priority, reread[i].Priority);
            Assert.Equal(original[i].Matchers.Select(m => m.Describe()), reread[i].Matchers.Select(m => m.Describe()));
            Assert.Equal(original[i].Responses.Select(r => r.Summarize()), reread[i].Responses.Select(r => r.Summarize()));
            Assert.Equal(original[i].Responses.Select(r => r.Stream), reread[i].Responses.Select(r => r.Stream));
            Assert.Equal(original[i].Responses.Select(r => r.Fault), reread[i].Responses.Select(r => r.Fault));
            Assert.Equal(original[i].Scenario, reread[i].Scenario);
            Assert.Equal(original[i].NextState, reread[i].NextState);
        }
    }

    [Fact]
    public void TheRasaCollectionRoundTripsThroughYaml()
    {
        var original = FixtureLoader.LoadFile(TestData.RasaCollection);
        var reread = FixtureLoader.Parse(FixtureYamlWriter.Write(original), "rasa.yaml");
        var set = FixtureSet.Create(reread);
        foreach (var turn in TestData.RasaTurns())
        {
            var outcome = set.Match(Request(turn.Prompt, "gpt-4"));
            Assert.Equal(turn.Name, outcome.Fixture!.Name);
        }
    }

    [Fact]
    public async Task DelaysAndTimeToFirstTokenWaitOnTheInjectedClock()
    {
        var time = new FakeTimeProvider();
        var engine = new MockEngine(time: time);
        engine.Add(FixtureLoader.Parse("""
            - match: { last_user: slow }
              response: { content: done, delay_ms: 5000 }
            - match: { last_user: stream }
              response: { content: a b, stream: { ttft_ms: 2000 } }
            """, "t.yaml"));

        var pending = engine.HandleAsync(Request("slow"), Ct).AsTask();
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(5));
        var reply = Assert.IsType<MockReply.Completion>((await pending).Reply);
        Assert.Equal("done", reply.Response.Choices[0].Message.Text);

        var stream = Assert.IsType<MockReply.Stream>((await engine.HandleAsync(MockRequest.Create(new ChatCompletionRequest { Model = "m", Stream = true, Messages = [ChatMessage.User("stream")] }), Ct)).Reply);
        await using var events = stream.Events.GetAsyncEnumerator(Ct);
        var first = events.MoveNextAsync().AsTask();
        Assert.False(first.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await first);
    }

    [Fact]
    public void TokenChunksJoinBackToTheExactText()
    {
        const string text = "Grüße 👋🏽 from the mock — with emoji, accents and\nnew lines.";
        foreach (var size in new[] { 1, 2, 5, 100 })
        {
            var chunks = MockResponder.BuildChunks(
                new ChatCompletionResponse { Id = "x", Model = "m", Choices = [new ChatChoice { Message = ChatMessage.Assistant(text), FinishReason = "stop" }] },
                size,
                includeUsage: false,
                Ct).ToList();
            Assert.Equal(text, string.Concat(chunks.Select(c => c.Chunk.Choices[0].Delta.Content)));
        }
    }

    [Fact]
    public void StreamChunksAreCutWithTheOneSharedTokenizer()
    {
        Assert.Same(Switchboard.Tokens.TiktokenTokenCounter.Tokenizer, TokenSplitter.Tokenizer);
        Assert.Equal(["Hello", " world"], TokenSplitter.Split("Hello world", 1, cancellationToken: Ct).Select(p => p.Text));
    }
}
