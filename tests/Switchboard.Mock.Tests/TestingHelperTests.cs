using System.Text;
using OpenAI.Chat;
using OpenAI.Embeddings;
using Microsoft.Extensions.Logging;
using Switchboard.Mock.Loading;
using Switchboard.Mock.Server;
using Switchboard.Mock.Testing;

namespace Switchboard.Mock.Tests;

/// <summary>The in-process helper, embeddings through the SDK, and how the server starts and refuses to.</summary>
public sealed class TestingHelperTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheHandlerSendsCallsForAnyHostToTheMock()
    {
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixture("hi", f => f.WhenLastUser("hi").RespondWith("hello from the mock")), Ct);
        using var http = new HttpClient(mock.CreateHandler());

        using var response = await http.PostAsync(
            "https://api.openai.com/v1/chat/completions",
            new StringContent("""{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
            Ct);

        Assert.Contains("hello from the mock", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        mock.Journal.AssertAnsweredBy("hi");
    }

    [Fact]
    public async Task CodeFixturesSequencesScenariosAndJournalAssertions()
    {
        await using var mock = await MockLlmServer.StartAsync(b => b
            .AddFixture("turns", f => f.WhenLastUser("again").RespondWith("one").RespondWith("two").Cycle())
            .AddFixture("tool", f => f.WhenLastUser("weather").WhenTools("get_weather").RespondWithToolCall("get_weather", new { city = "Oslo" }))
            .AddFixture("door closed", f => f.WhenLastUser("door").InScenario("door", nextState: "open").RespondWith("opening"))
            .AddFixture("door open", f => f.WhenLastUser("door").InScenario("door", "open").RespondWith("already open")), Ct);
        var client = TestData.Chat(mock.OpenAIEndpoint);

        var answers = new List<string>();
        foreach (var user in new[] { "again", "again", "again", "door", "door" })
        {
            ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage(user)], cancellationToken: Ct);
            answers.Add(completion.Content[0].Text);
        }

        Assert.Equal(["one", "two", "one", "opening", "already open"], answers);
        ChatCompletion tool = await client.CompleteChatAsync([new UserChatMessage("weather")], new ChatCompletionOptions { Tools = { ChatTool.CreateFunctionTool("get_weather") } }, Ct);
        Assert.Equal("""{"city":"Oslo"}""", tool.ToolCalls[0].FunctionArguments.ToString());
        mock.Journal.AssertNoMisses();
        mock.Journal.AssertAnsweredBy("turns", "turns", "turns", "door closed", "door open", "tool");

        await Assert.ThrowsAnyAsync<Exception>(() => client.CompleteChatAsync([new UserChatMessage("unknown")], cancellationToken: Ct));
        var failure = Assert.Throws<MockAssertionException>(mock.Journal.AssertNoMisses);
        Assert.Contains("No mock fixture matches", failure.Message, StringComparison.Ordinal);

        mock.Reset();
        Assert.Empty(mock.Journal.Entries);
    }

    [Fact]
    public async Task WithoutFixturesTheServerIsTheEchoModel()
    {
        await using var mock = await MockLlmServer.StartAsync(cancellationToken: Ct);
        ChatCompletion completion = await TestData.Chat(mock.OpenAIEndpoint, "mock-echo").CompleteChatAsync([new UserChatMessage("echo this")], cancellationToken: Ct);
        Assert.Equal("echo this", completion.Content[0].Text);
        Assert.Equal("echo", mock.Journal.Entries[^1].Outcome);
    }

    [Fact]
    public async Task EmbeddingsThroughTheSdkAreDeterministic()
    {
        await using var mock = await MockLlmServer.StartAsync(cancellationToken: Ct);
        var client = TestData.Client(mock.OpenAIEndpoint).GetEmbeddingClient("text-embedding-3-small");

        OpenAIEmbedding first = await client.GenerateEmbeddingAsync("the same text", cancellationToken: Ct);
        OpenAIEmbedding again = await client.GenerateEmbeddingAsync("the same text", cancellationToken: Ct);
        OpenAIEmbedding small = await client.GenerateEmbeddingAsync("the same text", new EmbeddingGenerationOptions { Dimensions = 64 }, Ct);

        Assert.Equal(1536, first.ToFloats().Length);
        Assert.Equal(first.ToFloats().ToArray(), again.ToFloats().ToArray());
        Assert.Equal(64, small.ToFloats().Length);
    }

    [Fact]
    public async Task ABrokenFixtureFileStopsTheStartWithExitCode2()
    {
        var folder = TestData.TempFolder();
        File.WriteAllText(Path.Combine(folder, "broken.yaml"), "- match: { last_user: x }\n  response: { content: y, delay_ms: later }\n");

        var code = await MockServerHost.RunAsync(new MockServerOptions { FixturesPath = folder, Port = 0 }, Ct);

        Assert.Equal(MockServerHost.ExitBadInput, code);
        var error = Assert.Throws<FixtureLoadException>(() => MockServerHost.Build(new MockServerOptions { FixturesPath = folder, Port = 0 }));
        Assert.Equal($"{Path.Combine(folder, "broken.yaml")}:2: 'delay_ms' must be a duration in milliseconds (250, 250ms or 1.5s), got 'later'.", error.Error.ToString());
    }

    [Theory]
    [InlineData(70000, null, null, "--port must be between 0 and 65535")]
    [InlineData(0, "/tmp/rec", null, "--record-to needs --upstream")]
    [InlineData(0, "/tmp/rec", "ftp://x", "--upstream must be an http(s) URL")]
    public async Task BadOptionsStopTheStartWithExitCode2(int port, string? recordTo, string? upstream, string problem)
    {
        var options = new MockServerOptions { Port = port, RecordTo = recordTo, Upstream = upstream };
        Assert.Contains(options.Validate(), p => p.StartsWith(problem, StringComparison.Ordinal));
        Assert.Equal(MockServerHost.ExitBadInput, await MockServerHost.RunAsync(options, Ct));
    }

    [Fact]
    public async Task RunAsyncServesUntilCancelled()
    {
        var logs = new ListLoggerProvider();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = MockServerHost.RunAsync(new MockServerOptions { Port = 0, FixturesPath = TestData.Samples }, stop.Token, logging => logging.AddProvider(logs));
        var listening = await logs.WaitForAsync(m => m.StartsWith("Mock LLM listening on ", StringComparison.Ordinal), Ct);
        using var http = new HttpClient { BaseAddress = new Uri(listening.Split(' ')[4]) };

        using (var health = await http.GetAsync("/health", Ct))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
        }

        Assert.False(run.IsCompleted);
        stop.Cancel();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("/health", Ct));
    }

    [Fact]
    public async Task TheLogNamesTheFixtureThatAnsweredAndTheNearMissesOfAMiss()
    {
        var logs = new ListLoggerProvider();
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixture("greeting", f => f.WhenLastUser("hi").RespondWith("hello")).WithLogging(l => l.AddProvider(logs)), Ct);
        using var http = mock.CreateClient();

        // Without the /v1 prefix too, as some clients send it.
        using var hit = await http.PostAsync("/chat/completions", new StringContent("""{"model":"m","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"), Ct);
        using var miss = await http.PostAsync("/v1/chat/completions", new StringContent("""{"model":"m","messages":[{"role":"user","content":"hey"}]}""", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(System.Net.HttpStatusCode.OK, hit.StatusCode);
        Assert.Contains(logs.Messages, m => m.Contains("-> fixture 'greeting' (code), turn 1: 200", StringComparison.Ordinal));
        Assert.Contains(logs.Messages, m => m.Contains("-> 404 No mock fixture matches", StringComparison.Ordinal) && m.Contains("'greeting'", StringComparison.Ordinal));
    }

    [Fact]
    public void HiddenFoldersAreNotRead()
    {
        var folder = TestData.TempFolder();
        Directory.CreateDirectory(Path.Combine(folder, ".git"));
        File.WriteAllText(Path.Combine(folder, ".git", "config.json"), "not a fixture");
        File.WriteAllText(Path.Combine(folder, "real.yaml"), "- response: ok\n");
        Assert.Equal([Path.Combine(folder, "real.yaml")], FixtureLoader.FindFiles(folder));
    }

    private sealed class ListLoggerProvider : ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _messages = new();

        private event Action<string>? Added;

        public IReadOnlyList<string> Messages => [.. _messages];

        public ILogger CreateLogger(string categoryName) => new ListLogger(this);

        /// <summary>Waits until a message that satisfies <paramref name="predicate"/> is (or was) logged.</summary>
        public async Task<string> WaitForAsync(Func<string, bool> predicate, CancellationToken cancellationToken)
        {
            var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnAdded(string message)
            {
                if (predicate(message))
                {
                    found.TrySetResult(message);
                }
            }

            Added += OnAdded;
            try
            {
                foreach (var message in _messages)
                {
                    OnAdded(message);
                }

                return await found.Task.WaitAsync(cancellationToken);
            }
            finally
            {
                Added -= OnAdded;
            }
        }

        private void Add(string message)
        {
            _messages.Enqueue(message);
            Added?.Invoke(message);
        }

        public void Dispose()
        {
        }

        private sealed class ListLogger(ListLoggerProvider provider) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                provider.Add(formatter(state, exception));
        }
    }
}
