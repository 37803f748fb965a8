using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Switchboard.Mock.Loading;
using Switchboard.Mock.Matching;
using Switchboard.Mock.Replies;
using Switchboard.Mock.Testing;
using Switchboard.OpenAI;

namespace Switchboard.Mock.Tests;

/// <summary>
/// Hostile fixture files, admin requests and bodies (issue 16): each is refused or bounded, none takes the mock
/// down, answers 500 or makes it hold gigabytes.
/// </summary>
public sealed class HardeningTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StringContent Yaml(string yaml) => new(yaml, Encoding.UTF8, "application/yaml");

    [Theory]
    [InlineData("x-trace: \"a\\r\\nSet-Cookie: evil=1\"")]
    [InlineData("x-trace: \"tab\\u0000nul\"")]
    [InlineData("\"bad name\": x")]
    [InlineData("content-length: \"5\"")]
    [InlineData("x-accent: \"caf\u00e9\"")]
    public void AHeaderTheServerCannotSendIsRefusedAtLoad(string header)
    {
        var yaml = $"- match: {{ last_user: hi }}\n  response:\n    content: hello\n    headers:\n      {header}\n";

        var error = Assert.Throws<FixtureLoadException>(() => FixtureLoader.Parse(yaml, "headers.yaml")).Error;

        Assert.Equal("headers.yaml", error.File);
        Assert.Equal(5, error.Line);
    }

    [Fact]
    public void ASavedPostmanHeaderWithALineBreakIsRefusedAtLoad()
    {
        var collection = """
            {"info":{"name":"c","schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
             "item":[{"name":"one","request":{"method":"POST","url":"http://x/v1/chat/completions","body":{"mode":"raw","raw":"{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"}},
                      "response":[{"name":"ok","code":200,"header":[{"key":"x-trace","value":"a\r\nb"}],"body":"{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"hello\"}}]}"}]}]}
            """;

        var error = Assert.Throws<FixtureLoadException>(() => FixtureLoader.Parse(collection, "c.json", FixtureFormat.Json)).Error;

        Assert.Contains("x-trace", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHeaderWithALineBreakOverTheAdminApiIsA400AndRequestsStillAnswer()
    {
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixture("ok", f => f.WhenLastUser("hi").RespondWith("hello")), Ct);
        using var http = mock.CreateClient();

        using var added = await http.PostAsync("/__admin/fixtures", Yaml("match: { last_user: hi }\npriority: 10\nresponse:\n  content: evil\n  headers: { x-trace: \"a\\r\\nb\" }\n"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, added.StatusCode);
        Assert.Equal("hello", await TestData.AskAsync(mock, "hi", Ct));
    }

    // Counting these went to the tokenizer's quadratic merge at once: minutes of CPU. The guard is the test's timeout.
    [Theory(Timeout = 120_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ALongRunWithoutSpacesIsEchoed(bool stream)
    {
        await using var mock = await MockLlmServer.StartAsync(cancellationToken: Ct);
        using var http = mock.CreateClient();
        var text = new string('A', 400_000);

        using var response = await http.PostAsync("/v1/chat/completions", new StringContent($$"""{"model":"mock-echo","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"{{text}}"}]}""", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("AAAA", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheEchoModelObservesCancellationWhileItCounts()
    {
        var engine = new MockEngine(new MockEngineOptions { EchoWhenEmpty = true });
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var request = MockRequest.Create(new ChatCompletionRequest { Model = "mock-echo", Messages = [ChatMessage.User(new string('A', 400_000))] });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await engine.HandleAsync(request, cancelled.Token));
    }

    [Fact]
    public async Task AnEmbeddingAnswerOfHundredsOfMegabytesIsA400NamingDimensions()
    {
        await using var mock = await MockLlmServer.StartAsync(cancellationToken: Ct);
        using var http = mock.CreateClient();
        var inputs = string.Join(',', Enumerable.Repeat("\"hi\"", 2048));

        using var response = await http.PostAsync("/v1/embeddings", new StringContent($$"""{"model":"mock-embedding","input":[{{inputs}}],"dimensions":16384}""", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("dimensions", error.RootElement.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task ManyChoicesOfALongEchoAreA400NamingN()
    {
        await using var mock = await MockLlmServer.StartAsync(cancellationToken: Ct);
        using var http = mock.CreateClient();
        var text = new string('x', 200_000);

        using var response = await http.PostAsync("/v1/chat/completions", new StringContent($$"""{"model":"mock-echo","n":128,"messages":[{"role":"user","content":"{{text}}"}]}""", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("n", error.RootElement.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public void ALongStreamedAnswerIsCutIntoABoundedNumberOfEvents()
    {
        var text = string.Concat(Enumerable.Repeat("word ", 200_000));
        var completion = new ChatCompletionResponse
        {
            Id = "x",
            Model = "m",
            Choices = [.. Enumerable.Range(0, 4).Select(i => new ChatChoice { Index = i, Message = ChatMessage.Assistant(text), FinishReason = "stop" })],
        };

        var chunks = MockResponder.BuildChunks(completion, tokensPerChunk: 1, includeUsage: false, Ct).ToList();

        Assert.InRange(chunks.Count, 4, MockResponder.MaxStreamPieces + (2 * 4));
        Assert.Equal(text, string.Concat(chunks.Where(c => c.Chunk.Choices[0].Index == 3).Select(c => c.Chunk.Choices[0].Delta.Content)));
    }

    /// <summary>Anchors nested <paramref name="levels"/> deep, ten aliases each: 10^levels scalars once expanded.</summary>
    private static string AliasBomb(int levels)
    {
        var yaml = new StringBuilder("- name: bomb\n  description:\n    - &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i < levels; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"    - &l{i} [{string.Join(", ", Enumerable.Repeat($"*l{i - 1}", 10))}]\n");
        }

        yaml.Append(CultureInfo.InvariantCulture, $"  match: {{ last_user: bomb }}\n  response:\n    body: {{ choices: [{{ message: {{ role: assistant, content: boom }} }}], x: *l{levels - 1} }}\n");
        return yaml.ToString();
    }

    [Fact]
    public void AYamlAliasBombIsRefusedNamingItsLine()
    {
        var error = Assert.Throws<FixtureLoadException>(() => FixtureLoader.Parse(AliasBomb(7), "bomb.yaml")).Error;

        Assert.Contains("aliases", error.Problem, StringComparison.Ordinal);
        Assert.True(error.Line > 0);
    }

    [Fact]
    public void AnchorsSharedAFewTimesStillLoad()
    {
        var yaml = """
            - name: first
              match: { last_user: one }
              response: &answer { content: shared answer, stream: { chunk_size: 2 } }
            - name: second
              match: { last_user: two }
              response: *answer
            """;

        var fixtures = FixtureLoader.Parse(yaml, "shared.yaml");

        Assert.Equal(2, fixtures.Count);
        Assert.Equal("shared answer", fixtures[1].Responses[0].Content);
    }

    [Theory]
    [InlineData("- name: loop\n  description: &x [a, *x]\n  match: { last_user: x }\n  response: x\n")]
    [InlineData("- name: loop\n  description: &x { a: { b: *x } }\n  match: { last_user: x }\n  response: x\n")]
    public void ARecursiveAliasIsRefused(string yaml)
    {
        var error = Assert.Throws<FixtureLoadException>(() => FixtureLoader.Parse(yaml, "loop.yaml")).Error;

        Assert.Contains("*x", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void YamlNestedAHundredThousandLevelsDeepIsRefused()
    {
        var yaml = "- name: deep\n  description: " + new string('[', 100_000) + new string(']', 100_000) + "\n  response: x\n";

        var error = Assert.Throws<FixtureLoadException>(() => FixtureLoader.Parse(yaml, "deep.yaml")).Error;

        Assert.Contains("64 levels", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostileYamlOverTheAdminApiIsA400AndTheMockCarriesOn()
    {
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixture("ok", f => f.WhenLastUser("hi").RespondWith("hello")), Ct);
        using var http = mock.CreateClient();

        foreach (var yaml in new[] { AliasBomb(7), "a: &x [*x]\n", new string('[', 100_000) })
        {
            using var added = await http.PostAsync("/__admin/fixtures", Yaml(yaml), Ct);
            Assert.Equal(HttpStatusCode.BadRequest, added.StatusCode);
        }

        Assert.Equal("hello", await TestData.AskAsync(mock, "hi", Ct));
    }

    [Fact]
    public async Task WithATokenTheAdminApiNeedsItAndNothingElseDoes()
    {
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixture("ok", f => f.WhenLastUser("hi").RespondWith("hello")).Configure(o => o with { AdminToken = "s3cret" }), Ct);
        using var http = mock.CreateClient();

        using var anonymous = await http.GetAsync("/__admin/fixtures", Ct);
        using var wrong = await SendAsync(http, HttpMethod.Post, "/__admin/reset", ("Authorization", "Bearer guess"));
        using var bearer = await SendAsync(http, HttpMethod.Get, "/__admin/fixtures", ("Authorization", "Bearer s3cret"));
        using var header = await SendAsync(http, HttpMethod.Get, "/__admin/requests", ("X-Admin-Token", "s3cret"));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using (var error = JsonDocument.Parse(await anonymous.Content.ReadAsStringAsync(Ct)))
        {
            Assert.Equal("authentication_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());
        }

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bearer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, header.StatusCode);
        Assert.Equal("hello", await TestData.AskAsync(mock, "hi", Ct));
    }

    [Theory]
    [InlineData("0.0.0.0", null, false)]
    [InlineData("192.168.1.20", "", false)]
    [InlineData("0.0.0.0", "s3cret", true)]
    [InlineData("127.0.0.1", null, true)]
    [InlineData("localhost", null, true)]
    [InlineData("::1", null, true)]
    public void ListeningBeyondLoopbackNeedsAnAdminToken(string host, string? token, bool valid)
    {
        var problems = new Server.MockServerOptions { Host = host, AdminToken = token }.Validate();

        Assert.Equal(valid, problems.Count == 0);
        if (!valid)
        {
            Assert.Contains("--admin-token", problems[0], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AFixtureFilePastTheSizeLimitIsRefusedWithItsSize()
    {
        var folder = TestData.TempFolder();
        var path = Path.Combine(folder, "huge.yaml");
        File.WriteAllText(path, "- match: { last_user: x }\n  response: \"" + new string('x', (int)FixtureLoader.MaxFileBytes) + "\"\n");

        var error = Assert.Throws<FixtureLoadException>(() => FixtureLoader.LoadFile(path)).Error;

        Assert.Equal(path, error.File);
        Assert.Contains("bytes", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWatchedFileThatGrowsPastTheLimitKeepsItsLastGoodFixtures()
    {
        var folder = TestData.TempFolder();
        var path = Path.Combine(folder, "fixtures.yaml");
        await File.WriteAllTextAsync(path, "- match: { last_user: ping }\n  response: pong\n", Ct);
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixturesFrom(path).Watch(), Ct);

        var reload = await WhileReloadingAsync(
            mock.Watcher!,
            () => File.WriteAllText(path, "- match: { last_user: ping }\n  response: \"" + new string('x', (int)FixtureLoader.MaxFileBytes) + "\"\n"),
            r => r.Errors.Any(e => e.Problem.Contains("bytes", StringComparison.Ordinal)));

        Assert.Contains("bytes", Assert.Single(reload.Errors).Problem, StringComparison.Ordinal);
        Assert.Equal("pong", await TestData.AskAsync(mock, "ping", Ct));
    }

    [Fact]
    public async Task ADeletedWatchedFileKeepsTheLastGoodFixturesAndHealthSaysDegraded()
    {
        var folder = TestData.TempFolder();
        var path = Path.Combine(folder, "fixtures.yaml");
        await File.WriteAllTextAsync(path, "- match: { last_user: ping }\n  response: pong\n", Ct);
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixturesFrom(path).Watch(), Ct);
        using var http = mock.CreateClient();

        var reload = await WhileReloadingAsync(mock.Watcher!, () => File.Delete(path), r => r.Errors.Count > 0);

        Assert.Contains("missing", Assert.Single(reload.Errors).Problem, StringComparison.Ordinal);
        Assert.Equal("pong", await TestData.AskAsync(mock, "ping", Ct));
        using (var health = JsonDocument.Parse(await http.GetStringAsync("/health", Ct)))
        {
            Assert.Equal("degraded", health.RootElement.GetProperty("status").GetString());
            Assert.Equal(1, health.RootElement.GetProperty("fixtures").GetInt32());
        }

        await WhileReloadingAsync(mock.Watcher!, () => File.WriteAllText(path, "- match: { last_user: ping }\n  response: back\n"), r => r.Errors.Count == 0 && mock.Engine.Fixtures.Fixtures.Any(f => f.Responses[0].Content == "back"));
        Assert.Equal("back", await TestData.AskAsync(mock, "ping", Ct));
        Assert.Empty(mock.Watcher!.Errors);
    }

    [Fact]
    public async Task AnAdminBodyPastTheFixtureSizeLimitIsA413()
    {
        await using var mock = await MockLlmServer.StartAsync(cancellationToken: Ct);
        using var http = mock.CreateClient();

        using var response = await http.PostAsync("/__admin/fixtures", Yaml("- response: \"" + new string('x', (int)FixtureLoader.MaxFileBytes) + "\"\n"), Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, (string Name, string Value) header)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        return await http.SendAsync(request, Ct);
    }

    /// <summary>Makes a change and waits for the reload that <paramref name="done"/> accepts (a guard of 15 s, not a timing assertion).</summary>
    private static async Task<FixtureReload> WhileReloadingAsync(FixtureWatcher watcher, Action change, Func<FixtureReload, bool> done)
    {
        var reloaded = new TaskCompletionSource<FixtureReload>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnReloaded(object? sender, FixtureReload reload)
        {
            if (done(reload))
            {
                reloaded.TrySetResult(reload);
            }
        }

        watcher.Reloaded += OnReloaded;
        try
        {
            change();
            return await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(15), Ct);
        }
        finally
        {
            watcher.Reloaded -= OnReloaded;
        }
    }
}
