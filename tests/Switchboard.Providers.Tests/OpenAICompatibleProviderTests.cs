using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Switchboard.Errors;
using Switchboard.OpenAI;
using Switchboard.Providers.OpenAICompatible;
using static Switchboard.Providers.Tests.TestSupport;

namespace Switchboard.Providers.Tests;

public sealed class OpenAICompatibleProviderTests
{
    private const string Completion = """
        {"id":"chatcmpl-abc","object":"chat.completion","created":1741569952,"model":"gpt-4.1-2025-04-14",
         "choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help?","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],
         "usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":0}},
         "service_tier":"default","system_fingerprint":"fp_1"}
        """;

    internal static OpenAICompatibleProvider Create(string baseUrl, TimeSpan? timeout = null, TimeProvider? time = null, string? apiKey = "sk-upstream") =>
        new(new ProviderOptions
        {
            Name = "lmstudio",
            Type = ProviderTypes.OpenAI,
            BaseUrl = baseUrl,
            ApiKey = apiKey,
            Timeout = timeout,
            Headers = new(StringComparer.OrdinalIgnoreCase) { ["OpenAI-Organization"] = "org-gateway" },
        }, ProviderHttpClients.CreateClient(), time);

    [Fact]
    public async Task ChatForwardsTheRequestWithUnknownFieldsCredentialsAndHeaders()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json(Completion));
        var provider = Create(upstream.BaseUrl + "/v1/");

        var result = await provider.ChatAsync(Chat("""
            {"model":"qwen2.5-7b","messages":[{"role":"user","content":"hi","x_note":"kept"}],"temperature":0.2,
             "reasoning_effort":"low","top_k":40,"chat_template_kwargs":{"enable_thinking":false}}
            """), Ct);

        result.Completed();
        var received = upstream.Last;
        Assert.Equal("POST", received.Method);
        Assert.Equal("/v1/chat/completions", received.Path);
        Assert.Equal("Bearer sk-upstream", received.Headers["Authorization"]);
        Assert.Equal("org-gateway", received.Headers["OpenAI-Organization"]);
        Assert.StartsWith("application/json", received.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.False(received.Headers.ContainsKey("Expect"));
        var body = received.Body!.RootElement;
        Assert.Equal("qwen2.5-7b", body.GetProperty("model").GetString());
        Assert.Equal(0.2, body.GetProperty("temperature").GetDouble());
        Assert.Equal("low", body.GetProperty("reasoning_effort").GetString());
        Assert.Equal(40, body.GetProperty("top_k").GetInt32());
        Assert.False(body.GetProperty("chat_template_kwargs").GetProperty("enable_thinking").GetBoolean());
        Assert.Equal("kept", body.GetProperty("messages")[0].GetProperty("x_note").GetString());
        Assert.False(body.TryGetProperty("stream", out _));
    }

    [Fact]
    public async Task ChatWithoutApiKeySendsNoAuthorization()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json(Completion));
        var provider = Create(upstream.BaseUrl + "/v1", apiKey: null);

        (await provider.ChatAsync(Chat("""{"model":"m","messages":[{"role":"user","content":"hi"}]}"""), Ct)).Completed();

        Assert.False(upstream.Last.Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task ChatParsesTheCompletion()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json(Completion));
        var provider = Create(upstream.BaseUrl + "/v1");

        var response = (await provider.ChatAsync(Chat("""{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}]}"""), Ct)).Completed();

        Assert.Equal("chatcmpl-abc", response.Id);
        Assert.Equal(1741569952, response.Created);
        Assert.Equal("gpt-4.1-2025-04-14", response.Model);
        Assert.Equal("Hello! How can I help?", response.Choices[0].Message.Text);
        Assert.Equal("stop", response.Choices[0].FinishReason);
        Assert.Equal(29, response.Usage!.TotalTokens);
        Assert.Equal("fp_1", response.SystemFingerprint);
        Assert.True(response.Usage.AdditionalProperties!.ContainsKey("prompt_tokens_details"));
    }

    [Fact]
    public async Task ToolCallsPassThroughBothWays()
    {
        const string toolAnswer = """
            {"id":"chatcmpl-t","object":"chat.completion","created":1,"model":"m",
             "choices":[{"index":0,"message":{"role":"assistant","content":null,
               "tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
               "finish_reason":"tool_calls"}]}
            """;
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json(toolAnswer));
        var provider = Create(upstream.BaseUrl + "/v1");
        const string tools = """[{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"strict":true}}]""";

        var response = (await provider.ChatAsync(Chat($$$"""
            {"model":"m","tools":{{{tools}}},"tool_choice":"auto","messages":[
              {"role":"user","content":"weather?"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_0","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},
              {"role":"tool","tool_call_id":"call_0","content":"cold"}]}
            """), Ct)).Completed();

        var body = upstream.Last.Body!.RootElement;
        Assert.Equal(JsonSerializer.Serialize(JsonDocument.Parse(tools).RootElement), JsonSerializer.Serialize(body.GetProperty("tools")));
        Assert.Equal("auto", body.GetProperty("tool_choice").GetString());
        var assistant = body.GetProperty("messages")[1];
        Assert.Equal(JsonValueKind.Null, assistant.GetProperty("content").ValueKind);
        Assert.Equal("{\"city\":\"Oslo\"}", assistant.GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString());
        Assert.Equal("call_0", body.GetProperty("messages")[2].GetProperty("tool_call_id").GetString());

        var call = Assert.Single(response.Choices[0].Message.ToolCalls!);
        Assert.Equal("call_1", call.Id);
        Assert.Equal("get_weather", call.Function!.Name);
        Assert.Equal("{\"city\":\"Paris\"}", call.Function.Arguments);
        Assert.Equal("tool_calls", response.Choices[0].FinishReason);
    }

    [Fact]
    public async Task StreamYieldsEachChunkAsItArrives()
    {
        var release = Signal();
        await using var upstream = await FakeUpstream.StartAsync(async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteEventAsync(Chunk("""{"role":"assistant","content":"Hel"}"""));
            await release.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteEventAsync(Chunk("""{"content":"lo"}"""));
            await context.Response.WriteEventAsync(Chunk("{}", "\"stop\""));
            await context.Response.WriteEventAsync("[DONE]");
        });
        var provider = Create(upstream.BaseUrl + "/v1");

        var result = await provider.ChatAsync(Chat("""{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), Ct);

        await using var chunks = result.Chunks().GetAsyncEnumerator(Ct);
        Assert.True(await chunks.MoveNextAsync());
        Assert.Equal("Hel", chunks.Current.Choices[0].Delta.Content);
        Assert.Equal("assistant", chunks.Current.Choices[0].Delta.Role);
        release.SetResult();
        Assert.True(await chunks.MoveNextAsync());
        Assert.Equal("lo", chunks.Current.Choices[0].Delta.Content);
        Assert.True(await chunks.MoveNextAsync());
        Assert.Equal("stop", chunks.Current.Choices[0].FinishReason);
        Assert.False(await chunks.MoveNextAsync());
        Assert.True(upstream.Last.Body!.RootElement.GetProperty("stream").GetBoolean());
    }

    [Fact]
    public async Task CancellingAStreamAbortsTheUpstreamRequest()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.WriteThenHold(FirstEvent));
        var provider = Create(upstream.BaseUrl + "/v1");

        await AssertCancellingAbortsUpstreamAsync(
            token => provider.ChatAsync(Chat("""{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), token),
            upstream.RequestAborted.Task);
    }

    [Fact]
    public async Task AbandoningAStreamReleasesTheUpstreamRequest()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.WriteThenHold(FirstEvent));
        var provider = Create(upstream.BaseUrl + "/v1");

        var result = await provider.ChatAsync(Chat("""{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), Ct);
        await foreach (var chunk in result.Chunks().WithCancellation(Ct))
        {
            Assert.Equal("a", chunk.Choices[0].Delta.Content);
            break;
        }

        await upstream.RequestAborted.Task.WaitAsync(Guard, Ct);
    }

    [Fact]
    public async Task StreamErrorEventBecomesAStreamException()
    {
        var ex = await StreamFailureAsync(Chunk("""{"role":"assistant","content":"a"}"""), """{"error":{"message":"overloaded","type":"server_error"}}""");

        Assert.Equal(502, ex.Error.StatusCode);
    }

    [Fact]
    public async Task StreamCutOffByTheUpstreamBecomesAStreamException()
    {
        var cut = Signal();
        await using var upstream = await FakeUpstream.StartAsync(async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteEventAsync(Chunk("""{"role":"assistant","content":"a"}"""));
            await cut.Task.WaitAsync(context.RequestAborted);
            context.Abort();
        });
        var provider = Create(upstream.BaseUrl + "/v1");

        var result = await provider.ChatAsync(Chat("""{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), Ct);
        await using var chunks = result.Chunks().GetAsyncEnumerator(Ct);
        Assert.True(await chunks.MoveNextAsync());
        cut.SetResult();

        var ex = await Assert.ThrowsAsync<ChatStreamException>(async () => await chunks.MoveNextAsync());
        Assert.Equal(502, ex.Error.StatusCode);
        Assert.Contains("lmstudio", ex.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamWithInvalidJsonEventBecomesAStreamException()
    {
        var ex = await StreamFailureAsync("{not json");

        Assert.Equal(502, ex.Error.StatusCode);
    }

    [Fact]
    public async Task StreamRequestFailingUpstreamFailsBeforeStreaming()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json("""{"error":{"message":"Invalid 'messages'","type":"invalid_request_error","param":"messages","code":null}}""", 400));
        var provider = Create(upstream.BaseUrl + "/v1");

        var error = (await provider.ChatAsync(Chat("""{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), Ct)).Failed();

        Assert.Equal(400, error.StatusCode);
        Assert.Equal("Invalid 'messages'", error.Message);
        Assert.Equal("messages", error.Param);
    }

    [Fact]
    public async Task StreamRequestAnsweredWithAWholeCompletionIsReplayedAsChunks()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json(Completion));
        var provider = Create(upstream.BaseUrl + "/v1");

        var chunks = await (await provider.ChatAsync(Chat("""{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}"""), Ct)).Chunks().ToListAsync();

        Assert.True(upstream.Last.Body!.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.Equal(2, chunks.Count);
        Assert.Equal("Hello! How can I help?", chunks[0].Choices[0].Delta.Content);
        Assert.Equal("stop", chunks[0].Choices[0].FinishReason);
        Assert.Empty(chunks[1].Choices);
        Assert.Equal(29, chunks[1].Usage!.TotalTokens);
    }

    [Fact]
    public async Task EmbeddingsAreForwardedAndParsed()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json("""
            {"object":"list","data":[{"object":"embedding","index":0,"embedding":"AACAPwAAAEA="}],"model":"text-embedding-3-small","usage":{"prompt_tokens":2,"total_tokens":2}}
            """));
        var provider = Create(upstream.BaseUrl + "/v1");

        var result = await provider.EmbedAsync(Embedding("""{"model":"text-embedding-3-small","input":["a b"],"encoding_format":"base64","dimensions":2,"extra_thing":1}"""), Ct);

        Assert.Null(result.Error);
        Assert.Equal("AACAPwAAAEA=", result.Response!.Data[0].Embedding.GetString());
        Assert.Equal(2, result.Response.Usage!.PromptTokens);
        var body = upstream.Last.Body!.RootElement;
        Assert.Equal("/v1/embeddings", upstream.Last.Path);
        Assert.Equal("base64", body.GetProperty("encoding_format").GetString());
        Assert.Equal(2, body.GetProperty("dimensions").GetInt32());
        Assert.Equal(1, body.GetProperty("extra_thing").GetInt32());
    }

    [Fact]
    public async Task EmbeddingErrorsAreMapped()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json("""{"error":{"message":"bad key","type":"invalid_request_error"}}""", 401));
        var provider = Create(upstream.BaseUrl + "/v1");

        var result = await provider.EmbedAsync(Embedding("""{"model":"e","input":"x"}"""), Ct);

        Assert.Equal(502, result.Error!.StatusCode);
    }

    [Fact]
    public async Task HealthIsHealthyWhenModelsAnswers()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json("""{"object":"list","data":[{"id":"m","object":"model","created":1,"owned_by":"me"}]}"""));
        var provider = Create(upstream.BaseUrl + "/v1");

        var health = await provider.CheckHealthAsync(Ct);

        Assert.True(health.IsHealthy);
        Assert.Equal("GET", upstream.Last.Method);
        Assert.Equal("/v1/models", upstream.Last.Path);
    }

    [Fact]
    public async Task HealthIsUnhealthyWhenTheUpstreamFailsOrIsDown()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Text("boom", 500));

        var failing = await Create(upstream.BaseUrl + "/v1").CheckHealthAsync(Ct);
        var down = await Create($"http://127.0.0.1:{Loopback.ClosedPort()}/v1").CheckHealthAsync(Ct);

        Assert.False(failing.IsHealthy);
        Assert.False(down.IsHealthy);
        Assert.Contains("lmstudio", down.Detail, StringComparison.Ordinal);
    }

    /// <summary>Streams <paramref name="events"/> from an upstream and returns the exception that reading the stream ends with.</summary>
    private static async Task<ChatStreamException> StreamFailureAsync(params string[] events)
    {
        await using var upstream = await FakeUpstream.StartAsync(async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            foreach (var data in events)
            {
                await context.Response.WriteEventAsync(data);
            }
        });
        var result = await Create(upstream.BaseUrl + "/v1").ChatAsync(Chat("""{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), Ct);

        return await Assert.ThrowsAsync<ChatStreamException>(() => result.Chunks().ToListAsync());
    }

    private static Task FirstEvent(HttpContext context)
    {
        context.Response.ContentType = "text/event-stream";
        return context.Response.WriteEventAsync(Chunk("""{"role":"assistant","content":"a"}"""));
    }

    private static string Chunk(string delta, string finishReason = "null") =>
        $$"""{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{{delta}},"finish_reason":{{finishReason}}}]}""";
}
