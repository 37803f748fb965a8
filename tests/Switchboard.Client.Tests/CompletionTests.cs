using System.Text.Json;
using Microsoft.Extensions.AI;
using Switchboard.Client.Tests.Infrastructure;

namespace Switchboard.Client.Tests;

/// <summary>Successful calls against the mock server, whose journal shows what the library sent.</summary>
public sealed class CompletionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PromptGoesOutWithTheDefaultsFromTheEnvironment()
    {
        await using var mock = await MockLlm.StartAsync();
        var environment = new Dictionary<string, string?>
        {
            ["LLM_BASE_URL"] = mock.OpenAIEndpoint.ToString(),
            ["LLM_MODEL"] = "gpt-from-env",
        };
        using var llm = LlmClient.Create(LlmClientOptions.FromEnvironment(name => environment.GetValueOrDefault(name)));

        var answer = await llm.CompleteAsync("Say hello", cancellationToken: Ct);

        Assert.True(answer.Success, answer.Error);
        Assert.Equal("Hello there!", answer.Content);
        Assert.Null(answer.Error);
        Assert.Equal(LlmErrorKind.None, answer.ErrorKind);
        Assert.Equal(12, answer.PromptTokens);
        Assert.Equal(3, answer.CompletionTokens);
        Assert.Equal(15, answer.TokensUsed);
        Assert.Equal("mock-model-2024", answer.ModelUsed);
        Assert.Equal("stop", answer.FinishReason);
        Assert.True(answer.ResponseTime > TimeSpan.Zero);
        Assert.NotNull(answer.ChatResponse);

        var body = mock.Journal.Entries.Single().Body!.Value;
        Assert.Equal("gpt-from-env", body.GetProperty("model").GetString());
        Assert.Equal(0.7, body.GetProperty("temperature").GetDouble(), 5);
        Assert.Equal(500, body.GetProperty("max_completion_tokens").GetInt32());
        var message = Assert.Single(body.GetProperty("messages").EnumerateArray());
        Assert.Equal("user", message.GetProperty("role").GetString());
        Assert.Equal("Say hello", Text(message));
        Assert.False(body.TryGetProperty("stream", out var stream) && stream.GetBoolean());
    }

    [Fact]
    public async Task MessagesAndRequestOptionsGoOutAsGiven()
    {
        await using var mock = await MockLlm.StartAsync();
        using var llm = MockLlm.Client(mock, o => o.SystemPrompt = "The client's default system prompt.");
        ChatMessage[] conversation =
        [
            new(ChatRole.User, "Say hello"),
            new(ChatRole.Assistant, "Hello there!"),
            new(ChatRole.User, "And in French?"),
        ];

        var answer = await llm.CompleteAsync(conversation, new LlmRequestOptions
        {
            Model = "gpt-other",
            Temperature = 0.2f,
            MaxTokens = 50,
            TopP = 0.5f,
            SystemPrompt = "Answer in one word.",
            Stop = ["END"],
            AdditionalProperties = new Dictionary<string, object?> { ["seed"] = 7, ["repeat_penalty"] = 1.3 },
        }, Ct);

        Assert.True(answer.Success, answer.Error);
        Assert.Equal("Bonjour !", answer.Content);
        var body = mock.Journal.Entries.Single().Body!.Value;
        Assert.Equal("gpt-other", body.GetProperty("model").GetString());
        Assert.Equal(0.2, body.GetProperty("temperature").GetDouble(), 5);
        Assert.Equal(0.5, body.GetProperty("top_p").GetDouble(), 5);
        Assert.Equal(50, body.GetProperty("max_completion_tokens").GetInt32());
        Assert.Equal(["END"], body.GetProperty("stop").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(7, body.GetProperty("seed").GetInt32());
        Assert.Equal(1.3, body.GetProperty("repeat_penalty").GetDouble(), 5);
        Assert.Equal(
            [("system", "Answer in one word."), ("user", "Say hello"), ("assistant", "Hello there!"), ("user", "And in French?")],
            body.GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("role").GetString(), Text(m))));
    }

    [Fact]
    public async Task TheClientsSystemPromptGoesBeforeAPrompt()
    {
        await using var mock = await MockLlm.StartAsync();
        using var llm = MockLlm.Client(mock, o => o.SystemPrompt = "Be brief.");

        var answer = await llm.CompleteAsync("Say hello", cancellationToken: Ct);

        Assert.True(answer.Success, answer.Error);
        var messages = mock.Journal.Entries.Single().Body!.Value.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal([("system", "Be brief."), ("user", "Say hello")], messages.Select(m => (m.GetProperty("role").GetString(), Text(m))));
    }

    [Fact]
    public async Task SynchronousCallsGiveTheSameAnswers()
    {
        await using var mock = await MockLlm.StartAsync();
        using var llm = MockLlm.Client(mock);

        var fromPrompt = llm.Complete("Say hello", cancellationToken: Ct);
        var fromMessages = llm.Complete([new ChatMessage(ChatRole.User, "And in French?")], new LlmRequestOptions { MaxTokens = 20 }, Ct);

        Assert.True(fromPrompt.Success, fromPrompt.Error);
        Assert.Equal("Hello there!", fromPrompt.Content);
        Assert.Equal(15, fromPrompt.TokensUsed);
        Assert.True(fromMessages.Success, fromMessages.Error);
        Assert.Equal("Bonjour !", fromMessages.Content);
        Assert.Equal(20, mock.Journal.Entries[1].Body!.Value.GetProperty("max_completion_tokens").GetInt32());
    }

    [Fact]
    public async Task StreamYieldsTextAndEndsWithTheResponse()
    {
        await using var mock = await MockLlm.StartAsync();
        using var llm = MockLlm.Client(mock);

        var updates = await ToListAsync(llm.StreamAsync("Tell me a story", cancellationToken: Ct));

        var final = updates[^1];
        Assert.True(final.IsFinal);
        var texts = updates[..^1];
        Assert.True(texts.Count > 3, $"expected several text updates, got {texts.Count}");
        Assert.All(texts, u => Assert.False(u.IsFinal));
        var response = final.Response!;
        Assert.True(response.Success, response.Error);
        Assert.Equal("Once upon a time, a gateway answered every call.", string.Concat(texts.Select(u => u.Text)));
        Assert.Equal(string.Concat(texts.Select(u => u.Text)), response.Content);
        Assert.Equal("stop", response.FinishReason);
        Assert.True(response.CompletionTokens > 0);
        Assert.Equal(response.PromptTokens + response.CompletionTokens, response.TokensUsed);
        Assert.True(mock.Journal.Entries.Single().Stream);
    }

    [Fact]
    public async Task StreamOfMessagesEndsWithTheSameResponseAsACompletion()
    {
        await using var mock = await MockLlm.StartAsync();
        using var llm = MockLlm.Client(mock);
        ChatMessage[] messages = [new(ChatRole.User, "And in French?")];

        var streamed = (await ToListAsync(llm.StreamAsync(messages, cancellationToken: Ct)))[^1].Response!;
        var completed = await llm.CompleteAsync(messages, cancellationToken: Ct);

        Assert.True(streamed.Success, streamed.Error);
        Assert.Equal(completed.Content, streamed.Content);
        Assert.Equal(completed.TokensUsed, streamed.TokensUsed);
        Assert.Equal(completed.ModelUsed, streamed.ModelUsed);
        Assert.Equal(completed.FinishReason, streamed.FinishReason);
    }

    [Fact]
    public async Task CleaningRemovesTheThinkBlockFromAnswersAndStreams()
    {
        await using var mock = await MockLlm.StartAsync();
        using var raw = MockLlm.Client(mock);
        using var clean = MockLlm.Client(mock, o => o.CleanResponses = true);

        var uncleaned = await raw.CompleteAsync("Think first", cancellationToken: Ct);
        var cleaned = await clean.CompleteAsync("Think first", cancellationToken: Ct);
        var updates = await ToListAsync(clean.StreamAsync("Think first", cancellationToken: Ct));

        Assert.StartsWith("<think>", uncleaned.Content, StringComparison.Ordinal);
        Assert.Equal("The answer is 42.", cleaned.Content);
        Assert.Contains("<think>", cleaned.ChatResponse!.Text, StringComparison.Ordinal);
        Assert.Equal("The answer is 42.", string.Concat(updates.Where(u => !u.IsFinal).Select(u => u.Text)));
        Assert.All(updates, u => Assert.DoesNotContain("think", u.Text, StringComparison.OrdinalIgnoreCase));
        Assert.Equal("The answer is 42.", updates[^1].Response!.Content);
    }

    [Fact]
    public async Task AnyChatClientCanBeWrapped()
    {
        await using var mock = await MockLlm.StartAsync();
        using var inner = new global::OpenAI.OpenAIClient(new System.ClientModel.ApiKeyCredential("sk-test"), new global::OpenAI.OpenAIClientOptions { Endpoint = mock.OpenAIEndpoint })
            .GetChatClient("gpt-inner").AsIChatClient();
        using var llm = new LlmClient(inner);

        var answer = await llm.CompleteAsync("Say hello", cancellationToken: Ct);

        Assert.True(answer.Success, answer.Error);
        Assert.Equal("Hello there!", answer.Content);
        var body = mock.Journal.Entries.Single().Body!.Value;
        Assert.Equal("gpt-inner", body.GetProperty("model").GetString());
        Assert.Equal(0.7, body.GetProperty("temperature").GetDouble(), 5);
    }

    internal static string Text(JsonElement message)
    {
        var content = message.GetProperty("content");
        return content.ValueKind == JsonValueKind.String
            ? content.GetString()!
            : string.Concat(content.EnumerateArray().Select(p => p.GetProperty("text").GetString()));
    }

    internal static async Task<List<LlmStreamUpdate>> ToListAsync(IAsyncEnumerable<LlmStreamUpdate> updates)
    {
        var list = new List<LlmStreamUpdate>();
        await foreach (var update in updates)
        {
            list.Add(update);
        }

        return list;
    }
}
