using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Mock.Loading;
using Switchboard.Mock.Matching;
using Switchboard.Mock.Server.Journal;
using Switchboard.OpenAI;
using Switchboard.Mock.Testing;

namespace Switchboard.Mock.Tests;

/// <summary>Regression tests for defects found in review of the mock server, over real HTTP on loopback.</summary>
public sealed class ReviewFixTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task AStreamSendsItsHeadersBeforeTheTimeToFirstToken()
    {
        var time = new FakeTimeProvider();
        await using var mock = await MockLlmServer.StartAsync(b => b.UseTimeProvider(time).AddYaml("""
            - match: { last_user: slow start }
              response: { content: first token late, stream: { ttft_ms: 2000 } }
            """), Ct);
        using var http = mock.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = Json("""{"model":"m","stream":true,"messages":[{"role":"user","content":"slow start"}]}"""),
        };

        // The fake clock has not moved: the headers must come anyway.
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);

        time.Advance(TimeSpan.FromSeconds(2));
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal("first token late", StreamedText(body));
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NGivesNChoicesFromFixturesSavedBodiesAndTheEchoModelStreamedOrNot()
    {
        await using var mock = await MockLlmServer.StartAsync(b => b.AddYaml("""
            - match: { last_user: three }
              response: three answers
            - match: { last_user: saved }
              response: { body: { choices: [{ message: { role: assistant, content: from the body } }] } }
            """), Ct);
        await using var echo = await MockLlmServer.StartAsync(cancellationToken: Ct);
        using var http = mock.CreateClient();
        using var echoHttp = echo.CreateClient();

        foreach (var (client, user, expected) in new[] { (http, "three", "three answers"), (http, "saved", "from the body"), (echoHttp, "echo me", "echo me") })
        {
            using var response = await client.PostAsync("v1/chat/completions", Json($$"""{"model":"m","n":3,"messages":[{"role":"user","content":"{{user}}"}]}"""), Ct);
            using var completion = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
            var choices = completion.RootElement.GetProperty("choices").EnumerateArray().ToList();
            Assert.Equal([0, 1, 2], choices.Select(c => c.GetProperty("index").GetInt32()));
            Assert.All(choices, c => Assert.Equal(expected, c.GetProperty("message").GetProperty("content").GetString()));

            using var streamed = await client.PostAsync("v1/chat/completions", Json($$"""{"model":"m","n":3,"stream":true,"messages":[{"role":"user","content":"{{user}}"}]}"""), Ct);
            var body = await streamed.Content.ReadAsStringAsync(Ct);
            Assert.All(Enumerable.Range(0, 3), i => Assert.Equal(expected, StreamedText(body, i)));
            Assert.Equal(string.Empty, StreamedText(body, 3));
        }
    }

    [Fact]
    public void TheJournalDropsItsOldestEntriesWhenTheirBodiesExceedItsByteBudget()
    {
        var journal = new RequestJournal(capacity: 1000, maxBytes: 3 * (RequestJournal.EntryOverheadBytes + 1000));
        for (var i = 1; i <= 5; i++)
        {
            journal.Add(new JournalEntry { Method = "POST", Path = "/v1/chat/completions", Outcome = "matched", BodyBytes = 1000 });
        }

        Assert.Equal([3L, 4L, 5L], journal.Snapshot().Select(e => e.Sequence));
        Assert.Equal(3 * (RequestJournal.EntryOverheadBytes + 1000), journal.Bytes);
        journal.Clear();
        Assert.Equal(0, journal.Bytes);
    }

    [Fact]
    public async Task ABodyOverTheJournalLimitIsNotKeptButItsSizeIs()
    {
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixture("any", f => f.RespondWith("ok")).Configure(o => o with { JournalMaxBodyBytes = 200 }), Ct);
        using var http = mock.CreateClient();
        var large = new string('x', 1000);
        (await http.PostAsync("v1/chat/completions", Json("""{"model":"m","messages":[{"role":"user","content":"small"}]}"""), Ct)).Dispose();
        (await http.PostAsync("v1/chat/completions", Json($$"""{"model":"m","messages":[{"role":"user","content":"{{large}}"}]}"""), Ct)).Dispose();

        var entries = mock.Journal.Entries;
        Assert.NotNull(entries[0].Body);
        Assert.False(entries[0].BodyTruncated);
        Assert.Null(entries[1].Body);
        Assert.True(entries[1].BodyTruncated);
        Assert.True(entries[1].BodyBytes > 1000);
        Assert.Equal(large, entries[1].LastUserMessage);
        using var admin = JsonDocument.Parse(await http.GetStringAsync("__admin/requests", Ct));
        Assert.True(admin.RootElement[1].GetProperty("body_truncated").GetBoolean());
    }

    [Fact]
    public async Task ConcurrentRequestsTakeEachSequenceTurnAndEachScenarioStateExactlyOnce()
    {
        const int count = 20;
        var yaml = new StringBuilder();
        yaml.Append("- match: { last_user: turn }\n  responses: [").AppendJoin(", ", Enumerable.Range(0, count).Select(i => $"t{i}")).Append("]\n");
        for (var i = 0; i < count; i++)
        {
            yaml.Append($"- match: {{ last_user: step }}\n  scenario: walk\n  state: {(i == 0 ? "start" : $"s{i}")}\n  next_state: s{i + 1}\n  response: s{i}\n");
        }

        await using var mock = await MockLlmServer.StartAsync(b => b.AddYaml(yaml.ToString()), Ct);
        using var http = mock.CreateClient();

        foreach (var (user, prefix) in new[] { ("turn", "t"), ("step", "s") })
        {
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var requests = Enumerable.Range(0, count).Select(async _ =>
            {
                await go.Task;
                using var response = await http.PostAsync("v1/chat/completions", Json($$"""{"model":"m","messages":[{"role":"user","content":"{{user}}"}]}"""), Ct);
                using var completion = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
                return completion.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
            }).ToList();
            go.SetResult();
            var answers = await Task.WhenAll(requests);

            Assert.Equal(Enumerable.Range(0, count).Select(i => prefix + i).Order(), answers.Order());
        }

        Assert.Equal($"s{count}", mock.Engine.ScenarioState("walk"));
    }

    [Fact]
    public async Task ConcurrentEngineCallsNeverMatchAScenarioStateTwice()
    {
        const int count = 20;
        var yaml = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            yaml.Append($"- match: {{ last_user: step }}\n  scenario: walk\n  state: {(i == 0 ? "start" : $"s{i}")}\n  next_state: s{i + 1}\n  response: s{i}\n");
        }

        var engine = new MockEngine();
        engine.Add(FixtureLoader.Parse(yaml.ToString(), "walk.yaml"));
        var request = MockRequest.Create(new ChatCompletionRequest { Model = "m", Messages = [ChatMessage.User("step")] });

        // Many rounds: the window between matching a state and leaving it is small.
        for (var round = 0; round < 50; round++)
        {
            engine.ResetState();
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var calls = Enumerable.Range(0, count).Select(_ => Task.Run(async () =>
            {
                await go.Task;
                var exchange = await engine.HandleAsync(request, Ct);
                return exchange.Fixture?.Name;
            }, Ct)).ToList();
            go.SetResult();
            var answered = await Task.WhenAll(calls);

            Assert.Equal(count, answered.Distinct().Count());
            Assert.Equal($"s{count}", engine.ScenarioState("walk"));
        }
    }

    [Fact]
    public async Task AModelIdWithASlashIsFound()
    {
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixture("llama", f => f.WhenModel("meta-llama/Llama-3-8B").RespondWith("hi")), Ct);
        using var http = mock.CreateClient();

        using var model = JsonDocument.Parse(await http.GetStringAsync("v1/models/meta-llama/Llama-3-8B", Ct));
        Assert.Equal("meta-llama/Llama-3-8B", model.RootElement.GetProperty("id").GetString());
        using var missing = await http.GetAsync("v1/models/meta-llama/other", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Theory]
    [InlineData("health")]
    [InlineData("v1/models")]
    [InlineData("models")]
    [InlineData("v1/models/mock-echo")]
    public async Task HeadAnswersLikeGetWithoutABody(string path)
    {
        await using var mock = await MockLlmServer.StartAsync(cancellationToken: Ct);
        using var http = mock.CreateClient();

        using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, path), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task TheMockWritesTheSameBytesAsTheGatewayNonAsciiAsItself()
    {
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixture("umlaut", f => f.WhenLastUser("grüß").RespondWith("Grüße aus München – \"ok\" 👋")), Ct);
        using var http = mock.CreateClient();

        var whole = await http.PostAsync("v1/chat/completions", Json("""{"model":"m","messages":[{"role":"user","content":"grüß"}]}"""), Ct);
        var completionText = await whole.Content.ReadAsStringAsync(Ct);
        Assert.Contains("Grüße aus München – \\\"ok\\\"", completionText, StringComparison.Ordinal);
        var completion = JsonSerializer.Deserialize(completionText, OpenAIJsonContext.Default.ChatCompletionResponse)!;
        Assert.Equal(JsonSerializer.Serialize(completion, OpenAIJsonContext.Relaxed.ChatCompletionResponse), completionText);

        // Each event re-written by the gateway's own writer gives the mock's bytes.
        var streamed = await http.PostAsync("v1/chat/completions", Json("""{"model":"m","stream":true,"messages":[{"role":"user","content":"grüß"}]}"""), Ct);
        var events = await streamed.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotContain("\\u00", events, StringComparison.Ordinal);
        var chunks = events.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Where(e => e != "data: [DONE]")
            .Select(e => JsonSerializer.Deserialize(e["data: ".Length..], OpenAIJsonContext.Default.ChatCompletionChunk)!)
            .ToList();
        var gateway = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        using var buffer = new MemoryStream();
        gateway.Response.Body = buffer;
        await Switchboard.Hosting.Http.OpenAIResponseWriter.WriteStreamAsync(gateway, chunks.Select(Switchboard.Streaming.StreamedChunk.From).ToAsyncEnumerable());
        await gateway.Response.BodyWriter.FlushAsync(Ct);
        Assert.Equal(events, Encoding.UTF8.GetString(buffer.ToArray()));
        Assert.Equal("Grüße aus München – \"ok\" 👋", StreamedText(events));
    }

    /// <summary>The content an SSE body carries for one choice.</summary>
    private static string StreamedText(string body, int choice = 0)
    {
        var text = new StringBuilder();
        foreach (var line in body.Split('\n'))
        {
            if (!line.StartsWith("data: {", StringComparison.Ordinal))
            {
                continue;
            }

            using var chunk = JsonDocument.Parse(line["data: ".Length..]);
            foreach (var item in chunk.RootElement.GetProperty("choices").EnumerateArray())
            {
                if (item.GetProperty("index").GetInt32() == choice && item.GetProperty("delta").TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                {
                    text.Append(content.GetString());
                }
            }
        }

        return text.ToString();
    }
}
