using System.Net;
using System.Text;
using System.Text.Json;
using OpenAI.Chat;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>`switchboard serve` with no configuration works offline, driven by the official OpenAI SDK.</summary>
public sealed class EmbeddedDefaultTests : EmbeddedGatewayTest
{
    [Fact]
    public async Task ChatCompletesWithTheEchoModel()
    {
        var chat = Gateway.CreateOpenAIClient().GetChatClient("mock-echo");

        var completion = (await chat.CompleteChatAsync(
            [new SystemChatMessage("You are terse."), new UserChatMessage("Hello, Zürich — \"quoted\"!")],
            cancellationToken: TestContext.Current.CancellationToken)).Value;

        Assert.Contains("Hello, Zürich — \"quoted\"!", completion.Content[0].Text, StringComparison.Ordinal);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.True(completion.Usage.InputTokenCount > 0);
        Assert.True(completion.Usage.OutputTokenCount > 0);
        Assert.StartsWith("chatcmpl-", completion.Id, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatStreamsChunksThatAddUpToTheEcho()
    {
        var chat = Gateway.CreateOpenAIClient().GetChatClient("mock-echo");
        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        var updates = 0;

        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("stream me please, one piece at a time")], cancellationToken: TestContext.Current.CancellationToken))
        {
            updates++;
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            finish ??= update.FinishReason;
        }

        Assert.Contains("stream me please, one piece at a time", text.ToString(), StringComparison.Ordinal);
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.True(updates > 2, $"expected several chunks, got {updates}");
    }

    [Fact]
    public async Task StreamCarriesUsageOnlyWhenAskedFor()
    {
        var chat = Gateway.CreateOpenAIClient().GetChatClient("mock-echo");
        ChatTokenUsage? usage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("count me")], cancellationToken: TestContext.Current.CancellationToken))
        {
            usage ??= update.Usage;
        }

        Assert.NotNull(usage);
        Assert.True(usage.TotalTokenCount > 0);

        var raw = await PostRawStreamAsync("{\"model\":\"mock-echo\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"no usage\"}]}");
        Assert.DoesNotContain("\"usage\"", raw, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamIsServerSentEvents()
    {
        var raw = await PostRawStreamAsync("{\"model\":\"mock-echo\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"sse\"}]}");
        var events = raw.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(events, e => Assert.StartsWith("data: ", e, StringComparison.Ordinal));
        Assert.Equal("data: [DONE]", events[^1]);
        using var last = JsonDocument.Parse(events[^2]["data: ".Length..]);
        Assert.Equal("chat.completion.chunk", last.RootElement.GetProperty("object").GetString());
        Assert.True(last.RootElement.GetProperty("usage").GetProperty("total_tokens").GetInt32() > 0);
    }

    [Fact]
    public async Task EmbeddingsAreDeterministicVectors()
    {
        var embeddings = Gateway.CreateOpenAIClient().GetEmbeddingClient("mock-embedding");

        var first = (await embeddings.GenerateEmbeddingAsync("the same text", cancellationToken: TestContext.Current.CancellationToken)).Value.ToFloats();
        var second = (await embeddings.GenerateEmbeddingAsync("the same text", cancellationToken: TestContext.Current.CancellationToken)).Value.ToFloats();
        var other = (await embeddings.GenerateEmbeddingAsync("another text", cancellationToken: TestContext.Current.CancellationToken)).Value.ToFloats();

        Assert.True(first.Length > 0);
        Assert.Equal(first.ToArray(), second.ToArray());
        Assert.NotEqual(first.ToArray(), other.ToArray());
    }

    [Fact]
    public async Task EmbeddingsOfSeveralInputsKeepTheirOrder()
    {
        var embeddings = Gateway.CreateOpenAIClient().GetEmbeddingClient("mock-embedding");
        var result = (await embeddings.GenerateEmbeddingsAsync(["a", "b", "c"], cancellationToken: TestContext.Current.CancellationToken)).Value;
        Assert.Equal([0, 1, 2], result.Select(e => e.Index));
    }

    [Fact]
    public async Task ModelsListsTheEmbeddedModels()
    {
        var models = Gateway.CreateOpenAIClient().GetOpenAIModelClient();

        var list = (await models.GetModelsAsync(TestContext.Current.CancellationToken)).Value;
        var one = (await models.GetModelAsync("mock-echo", TestContext.Current.CancellationToken)).Value;

        Assert.Contains(list, m => m.Id == "mock-echo");
        Assert.Contains(list, m => m.Id == "mock-embedding");
        Assert.Equal("mock-echo", one.Id);
    }

    [Fact]
    public async Task HealthAndReadinessAnswer()
    {
        using var health = await Gateway.Http.GetAsync("/health", TestContext.Current.CancellationToken);
        using var ready = await Gateway.Http.GetAsync("/health/ready", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.True(report.RootElement.GetProperty("providers").GetProperty("mock").GetProperty("healthy").GetBoolean());
    }

    [Fact]
    public async Task ProbesMayUseHead()
    {
        foreach (var path in new[] { "/health", "/health/ready", "/v1/models" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Head, path);
            using var response = await Gateway.Http.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task AnswersTellWhichProviderAndModelServed()
    {
        using var response = await Gateway.Http.PostAsync(
            "/v1/chat/completions",
            new StringContent("{\"model\":\"mock-echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("mock", response.Headers.GetValues("x-switchboard-provider").Single());
        Assert.Equal("mock-echo", response.Headers.GetValues("x-switchboard-model").Single());
        Assert.Equal("1", response.Headers.GetValues("x-switchboard-attempts").Single());
        Assert.Equal("bypass", response.Headers.GetValues("x-switchboard-cache").Single());
        Assert.False(string.IsNullOrEmpty(response.Headers.GetValues("x-request-id").Single()));
    }

    [Fact]
    public async Task ClientRequestIdIsEchoedAndJunkIsReplaced()
    {
        using var good = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("{\"model\":\"mock-echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", Encoding.UTF8, "application/json"),
        };
        good.Headers.Add("x-request-id", "trace-42.a");
        using var bad = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("{\"model\":\"mock-echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", Encoding.UTF8, "application/json"),
        };
        bad.Headers.TryAddWithoutValidation("x-request-id", "<script>");

        using var goodResponse = await Gateway.Http.SendAsync(good, TestContext.Current.CancellationToken);
        using var badResponse = await Gateway.Http.SendAsync(bad, TestContext.Current.CancellationToken);

        Assert.Equal("trace-42.a", goodResponse.Headers.GetValues("x-request-id").Single());
        Assert.NotEqual("<script>", badResponse.Headers.GetValues("x-request-id").Single());
    }

    private async Task<string> PostRawStreamAsync(string json)
    {
        using var response = await Gateway.Http.PostAsync("/v1/chat/completions", new StringContent(json, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }
}
