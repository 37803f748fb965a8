using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Hosting.Http;
using Switchboard.Mock.Loading;
using Switchboard.Mock.Matching;
using Switchboard.Mock.Replies;
using Switchboard.Mock.Testing;
using Switchboard.OpenAI;

namespace Switchboard.Mock.Tests;

/// <summary>Saved answers served as saved and made once; the per-request log bounded.</summary>
public sealed class SavedAnswerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ASavedPostmanResponseIsServedAsTheSavedBytes()
    {
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixturesFrom(TestData.RasaCollection), Ct);
        using var http = mock.CreateClient();
        using var collection = JsonDocument.Parse(await File.ReadAllTextAsync(TestData.RasaCollection, Ct));
        foreach (var item in collection.RootElement.GetProperty("item").EnumerateArray())
        {
            var raw = item.GetProperty("request").GetProperty("body").GetProperty("raw").GetString()!;
            var saved = item.GetProperty("response")[0].GetProperty("body").GetString()!;

            using var response = await http.PostAsync("/v1/chat/completions", new StringContent(raw, Encoding.UTF8, "application/json"), Ct);

            // Nulls, field order and the saved indentation as they are in the collection.
            var answer = await response.Content.ReadAsStringAsync(Ct);
            Assert.Equal(saved.Trim(), answer);
            Assert.Contains("\"refusal\": null", answer, StringComparison.Ordinal);
            Assert.Contains("\"system_fingerprint\": null", answer, StringComparison.Ordinal);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task ASavedBodyThatLacksFieldsKeepsItsOwnAndItsNulls()
    {
        var yaml = """
            - match: { last_user: hi }
              response:
                body: '{"id": "chatcmpl-1", "choices": [{"message": {"role": "assistant", "content": "hello", "refusal": null}}], "system_fingerprint": null}'
            """;
        await using var mock = await MockLlmServer.StartAsync(b => b.AddYaml(yaml), Ct);
        using var http = mock.CreateClient();

        using var response = await http.PostAsync("/v1/chat/completions", new StringContent("""{"model":"m","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"), Ct);

        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var root = answer.RootElement;
        Assert.Equal("chatcmpl-1", root.GetProperty("id").GetString());
        Assert.Equal("chat.completion", root.GetProperty("object").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("system_fingerprint").ValueKind);
        Assert.Equal("stop", root.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("choices")[0].GetProperty("message").GetProperty("refusal").ValueKind);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ASavedAnswerStreamsTheBytesItsEventsWrittenOneByOneWouldGive(bool includeUsage)
    {
        var engine = new MockEngine();
        engine.SetAllFileFixtures(FixtureLoader.LoadAll(TestData.RasaCollection));
        foreach (var turn in TestData.RasaTurns())
        {
            var request = MockRequest.Create(new ChatCompletionRequest
            {
                Model = "gpt-4",
                Messages = [ChatMessage.User(turn.Prompt)],
                Stream = true,
                StreamOptions = includeUsage ? new StreamOptions { IncludeUsage = true } : null,
            });

            var stream = Assert.IsType<MockReply.Stream>((await engine.HandleAsync(request, Ct)).Reply);

            Assert.False(stream.Prepared.IsEmpty);
            Assert.Equal(await WriteOneByOneAsync(stream.Events), stream.Prepared.ToArray());
        }
    }

    [Fact]
    public async Task RequestsPastTheLogBudgetAreCountedInOneLineASecond()
    {
        var logs = new ListLoggerProvider();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var mock = await MockLlmServer.StartAsync(
            b => b.AddFixture("greeting", f => f.WhenLastUser("hi").RespondWith("hello"))
                .UseTimeProvider(time)
                .Configure(o => o with { RequestLogLinesPerSecond = 2 })
                .WithLogging(l => l.AddProvider(logs)),
            Ct);
        using var http = mock.CreateClient();

        for (var i = 0; i < 5; i++)
        {
            using var response = await http.PostAsync("/v1/chat/completions", new StringContent("""{"model":"m","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"), Ct);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(2, logs.Messages.Count(m => m.Contains("-> fixture 'greeting'", StringComparison.Ordinal)));
        Assert.Equal(5, mock.Journal.Matched.Count);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Contains(logs.Messages, m => m.Contains("... and 3 more requests in the last second", StringComparison.Ordinal));
    }

    private static async Task<byte[]> WriteOneByOneAsync(IAsyncEnumerable<MockStreamEvent> events)
    {
        var pipe = new Pipe();
        using (var json = OpenAIResponseWriter.CreateEventWriter(pipe.Writer))
        {
            await foreach (var item in events)
            {
                OpenAIResponseWriter.WriteEvent(pipe.Writer, json, Assert.IsType<MockStreamEvent.Chunk>(item).Value, OpenAIJsonContext.Relaxed.ChatCompletionChunk);
            }
        }

        OpenAIResponseWriter.WriteDone(pipe.Writer);
        await pipe.Writer.CompleteAsync();
        using var bytes = new MemoryStream();
        await pipe.Reader.CopyToAsync(bytes, Ct);
        return bytes.ToArray();
    }

    private sealed class ListLoggerProvider : ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _messages = new();

        public IReadOnlyList<string> Messages => [.. _messages];

        public ILogger CreateLogger(string categoryName) => new ListLogger(_messages);

        public void Dispose()
        {
        }

        private sealed class ListLogger(System.Collections.Concurrent.ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue(formatter(state, exception));
        }
    }
}
