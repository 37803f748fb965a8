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
    public void A_header_the_server_cannot_send_is_refused_at_load(string header)
    {
        var yaml = $"- match: {{ last_user: hi }}\n  response:\n    content: hello\n    headers:\n      {header}\n";

        var error = Assert.Throws<FixtureLoadException>(() => FixtureLoader.Parse(yaml, "headers.yaml")).Error;

        Assert.Equal("headers.yaml", error.File);
        Assert.Equal(5, error.Line);
    }

    [Fact]
    public void A_saved_postman_header_with_a_line_break_is_refused_at_load()
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
    public async Task A_header_with_a_line_break_over_the_admin_api_is_a_400_and_requests_still_answer()
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
    public async Task A_long_run_without_spaces_is_echoed(bool stream)
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
    public async Task The_echo_model_observes_cancellation_while_it_counts()
    {
        var engine = new MockEngine(new MockEngineOptions { EchoWhenEmpty = true });
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var request = MockRequest.Create(new ChatCompletionRequest { Model = "mock-echo", Messages = [ChatMessage.User(new string('A', 400_000))] });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await engine.HandleAsync(request, cancelled.Token));
    }

    [Fact]
    public async Task An_embedding_answer_of_hundreds_of_megabytes_is_a_400_naming_dimensions()
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
    public async Task Many_choices_of_a_long_echo_are_a_400_naming_n()
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
    public void A_long_streamed_answer_is_cut_into_a_bounded_number_of_events()
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
}
