using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using OpenAI.Chat;
using Switchboard.Mock.Testing;

namespace Switchboard.Mock.Tests;

/// <summary>The YAML samples served over HTTP: comparisons, priorities, tools, sequences, scenarios, streaming and faults.</summary>
public sealed class SampleFixtureTests : IAsyncLifetime
{
    private MockLlmServer _mock = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _mock = await MockLlmServer.StartAsync(b => b.AddFixturesFrom(TestData.Samples), Ct);

    public async ValueTask DisposeAsync() => await _mock.DisposeAsync();

    [Theory]
    [InlineData("gpt-4o-mini", "Hello!", "Hi! How can I help you today?")]
    [InlineData("gpt-4o-mini", "  Hello!\n", "Hi! How can I help you today?")]
    [InlineData("gpt-4o-mini", "How is the WEATHER?", "It is sunny in every fixture.")]
    [InlineData("gpt-4o-mini", "Where is order #123?", "Your order ships tomorrow.")]
    [InlineData("gpt-4o-mini", "Anything else", "I only know what my fixtures say.")]
    public async Task TextComparisonsAndPriorities(string model, string user, string expected)
    {
        var completion = await Complete(model, new UserChatMessage(user));
        Assert.Equal(expected, completion.Content[0].Text);
    }

    [Fact]
    public async Task TheMostSpecificMatchWins()
    {
        // The catch-all matches too, but model + system + glob is more specific (and the catch-all has priority -10).
        var completion = await Complete("gpt-4o", new SystemChatMessage("You are a translator."), new UserChatMessage("Translate: good morning"));
        Assert.Equal("Bonjour !", completion.Content[0].Text);
        Assert.Equal("gpt-4o translations", _mock.Journal.Entries[^1].FixtureName);
    }

    [Fact]
    public async Task ToolCallsThenTheAnswerAfterTheToolResult()
    {
        var tool = ChatTool.CreateFunctionTool("get_weather", "Weather of a city", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}}}"""));
        var options = new ChatCompletionOptions { Tools = { tool } };
        var client = TestData.Chat(_mock.OpenAIEndpoint, "gpt-4o");
        List<ChatMessage> messages = [new UserChatMessage("What is the weather in Paris?")];

        ChatCompletion call = await client.CompleteChatAsync(messages, options, Ct);
        Assert.Equal(ChatFinishReason.ToolCalls, call.FinishReason);
        var toolCall = Assert.Single(call.ToolCalls);
        Assert.Equal("get_weather", toolCall.FunctionName);
        using var arguments = JsonDocument.Parse(toolCall.FunctionArguments);
        Assert.Equal("Paris", arguments.RootElement.GetProperty("city").GetString());

        messages.Add(new AssistantChatMessage(call));
        messages.Add(new ToolChatMessage(toolCall.Id, """{"temperature": 21}"""));
        ChatCompletion answer = await client.CompleteChatAsync(messages, options, Ct);
        Assert.Equal("It is 21 °C in Paris.", answer.Content[0].Text);
    }

    [Fact]
    public async Task StreamedToolCallsReassemble()
    {
        var tool = ChatTool.CreateFunctionTool("get_weather");
        var client = TestData.Chat(_mock.OpenAIEndpoint, "gpt-4o");
        var name = new StringBuilder();
        var arguments = new StringBuilder();
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("What is the weather in Paris?")], new ChatCompletionOptions { Tools = { tool } }, Ct))
        {
            foreach (var part in update.ToolCallUpdates)
            {
                name.Append(part.FunctionName);
                arguments.Append(part.FunctionArgumentsUpdate?.ToString());
            }
        }

        Assert.Equal("get_weather", name.ToString());
        Assert.Equal("""{"city":"Paris","unit":"celsius"}""", arguments.ToString());
    }

    [Fact]
    public async Task ASequenceAnswersTurnByTurnThenRepeatsTheLast()
    {
        var client = TestData.Chat(_mock.OpenAIEndpoint);
        var first = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("try again")], cancellationToken: Ct));
        Assert.Equal(503, first.Status);
        Assert.Equal("Worked the second time.", (await Complete("gpt-4", new UserChatMessage("try again"))).Content[0].Text);
        Assert.Equal("Worked the second time.", (await Complete("gpt-4", new UserChatMessage("try again"))).Content[0].Text);
        Assert.Equal([0, 1, 1], _mock.Journal.Entries.Select(e => e.Turn ?? -1));
    }

    [Fact]
    public async Task AScenarioMovesThroughItsStates()
    {
        Assert.Equal("Please pay.", (await Complete("gpt-4", new UserChatMessage("next"))).Content[0].Text);
        Assert.Equal("Thank you for your order.", (await Complete("gpt-4", new UserChatMessage("next"))).Content[0].Text);
        Assert.Equal("paid", _mock.Engine.ScenarioState("checkout"));
    }

    [Fact]
    public async Task StreamingIsPacedInTokenChunksWithUsageAtTheEnd()
    {
        var client = TestData.Chat(_mock.OpenAIEndpoint);
        var pieces = new List<string>();
        ChatTokenUsage? usage = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("tell me a story")], new ChatCompletionOptions(), Ct))
        {
            pieces.AddRange(update.ContentUpdate.Select(p => p.Text));
            usage ??= update.Usage;
        }

        Assert.Equal("Once upon a time there was a mock that answered every test the same way.", string.Concat(pieces));
        Assert.True(pieces.Count > 3, "the answer arrives in several chunks");
        Assert.NotNull(usage);
        Assert.True(usage.OutputTokenCount > 10);
        Assert.True(usage.InputTokenCount > 0);
    }

    [Fact]
    public async Task UsageIsCountedWithTheTokenizer()
    {
        var completion = await Complete("gpt-4o", new UserChatMessage("Hello!"));
        // "Hi! How can I help you today?" is 9 o200k_base tokens; the prompt is 1 message of 2 tokens + 3 + 3 framing.
        Assert.Equal(9, completion.Usage.OutputTokenCount);
        Assert.Equal(8, completion.Usage.InputTokenCount);
    }

    [Fact]
    public async Task A429CarriesRetryAfter()
    {
        using var http = _mock.CreateClient();
        using var response = await Post(http, "rate limit me");
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("Slow down.", body.RootElement.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal("rate_limit_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task AnInjectedStatusIsAnOpenaiError()
    {
        var error = await Assert.ThrowsAsync<ClientResultException>(() => TestData.Chat(_mock.OpenAIEndpoint).CompleteChatAsync([new UserChatMessage("fail please")], cancellationToken: Ct));
        Assert.Equal(500, error.Status);
        Assert.Contains("server_error", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADelayStillAnswers()
    {
        Assert.Equal("Done.", (await Complete("gpt-4", new UserChatMessage("take your time"))).Content[0].Text);
    }

    [Fact]
    public async Task ADroppedConnectionFailsTheClient()
    {
        using var http = _mock.CreateClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => Post(http, "hang up"));
        var entry = await _mock.Journal.WaitForAsync(e => e.LastUserMessage == "hang up", Ct);
        Assert.Equal(0, entry.Status);
    }

    [Fact]
    public async Task AStreamThatBreaksOffDeliversItsChunksThenFails()
    {
        // The fixture says drop_after_chunks: 3. The chunks already written must reach the client before the
        // connection ends; a reset right after writing discarded them (0 chunks, most runs), so ask several times.
        var client = TestData.Chat(_mock.OpenAIEndpoint);
        for (var run = 0; run < 5; run++)
        {
            var updates = 0;
            var received = new StringBuilder();
            var error = await Record.ExceptionAsync(async () =>
            {
                await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("break the stream")], new ChatCompletionOptions(), Ct))
                {
                    updates++;
                    received.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
                }
            });

            Assert.NotNull(error);
            Assert.Equal(3, updates);
            Assert.StartsWith("This answer", received.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AStreamShorterThanItsDropPointEndsNormally()
    {
        await using var mock = await MockLlmServer.StartAsync(b => b.AddYaml("""
            - match: { last_user: short }
              response: { content: two words, fault: { drop_after_chunks: 50 } }
            """), Ct);
        var received = new StringBuilder();
        await foreach (var update in TestData.Chat(mock.OpenAIEndpoint).CompleteChatStreamingAsync([new UserChatMessage("short")], new ChatCompletionOptions(), Ct))
        {
            received.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
        }

        Assert.Equal("two words", received.ToString());
    }

    [Fact]
    public async Task AMalformedChunkIsSentAsBrokenJson()
    {
        using var http = _mock.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt-4","stream":true,"messages":[{"role":"user","content":"send garbage"}]}""", Encoding.UTF8, "application/json"),
        };
        using var response = await http.SendAsync(request, Ct);
        var events = (await response.Content.ReadAsStringAsync(Ct)).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(events[1]["data: ".Length..]).Dispose());
        Assert.Equal("data: [DONE]", events[^1]);

        var sdkError = await Record.ExceptionAsync(async () =>
        {
            await foreach (var _ in TestData.Chat(_mock.OpenAIEndpoint).CompleteChatStreamingAsync([new UserChatMessage("send garbage")], new ChatCompletionOptions(), Ct))
            {
            }
        });
        Assert.NotNull(sdkError);
    }

    private async Task<ChatCompletion> Complete(string model, params ChatMessage[] messages) =>
        await TestData.Chat(_mock.OpenAIEndpoint, model).CompleteChatAsync(messages, cancellationToken: Ct);

    private static Task<HttpResponseMessage> Post(HttpClient http, string user) =>
        http.PostAsync(
            "/v1/chat/completions",
            new StringContent(JsonSerializer.Serialize(new { model = "gpt-4", messages = new[] { new { role = "user", content = user } } }), Encoding.UTF8, "application/json"),
            Ct);
}
