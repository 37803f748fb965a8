using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Errors;
using Switchboard.Providers.Ollama;
using Switchboard.Providers.Upstream;
using static Switchboard.Providers.Tests.TestSupport;

namespace Switchboard.Providers.Tests;

public sealed class OllamaProviderTests
{
    // Shapes from Ollama's API documentation (docs/api.md: /api/chat, /api/embed).
    private const string ChatAnswer = """
        {"model":"llama3.2","created_at":"2023-12-12T14:13:43.416799123Z","message":{"role":"assistant","content":"Hello! How are you today?"},
         "done_reason":"stop","done":true,"total_duration":5191566416,"load_duration":2154458,"prompt_eval_count":26,"prompt_eval_duration":383809000,
         "eval_count":298,"eval_duration":4799921000}
        """;

    private const string ToolAnswer = """
        {"model":"llama3.2","created_at":"2024-07-22T20:33:28.123648Z","message":{"role":"assistant","content":"",
          "tool_calls":[{"function":{"name":"get_current_weather","arguments":{"format":"celsius","location":"Paris, FR"}}}]},
         "done_reason":"stop","done":true,"prompt_eval_count":122,"eval_count":33}
        """;

    internal static OllamaProvider Create(string baseUrl, TimeSpan? timeout = null, TimeProvider? time = null) =>
        new(new ProviderOptions { Name = "local", Type = ProviderTypes.Ollama, BaseUrl = baseUrl, Timeout = timeout }, ProviderHttpClients.CreateClient(), time);

    [Fact]
    public async Task ChatRequestIsMappedToTheNativeApi()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json(ChatAnswer));
        var provider = Create(upstream.BaseUrl + "/");

        (await provider.ChatAsync(Chat("""
            {"model":"llama3.2","messages":[
               {"role":"developer","content":"Be brief."},
               {"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"text","text":"Be precise."},
                 {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"low"}}]}],
             "temperature":0.3,"top_p":0.9,"seed":42,"stop":["\n\n","END"],"max_completion_tokens":128,"max_tokens":999,
             "frequency_penalty":0.5,"presence_penalty":0.25,"top_k":20,"repeat_penalty":1.1,"num_ctx":4096,
             "options":{"num_ctx":8192,"mirostat":1,"temperature":0.1},"keep_alive":"10m","user":"u-1","logit_bias":{"1":2}}
            """), Ct)).Completed();

        Assert.Equal("/api/chat", upstream.Last.Path);
        var body = upstream.Last.Body!.RootElement;
        Assert.Equal("llama3.2", body.GetProperty("model").GetString());
        Assert.False(body.GetProperty("stream").GetBoolean());
        Assert.Equal("10m", body.GetProperty("keep_alive").GetString());
        var messages = body.GetProperty("messages");
        Assert.Equal("system", messages[0].GetProperty("role").GetString());
        Assert.Equal("Be brief.", messages[0].GetProperty("content").GetString());
        Assert.Equal("What is this?\nBe precise.", messages[1].GetProperty("content").GetString());
        Assert.Equal("iVBORw0KGgo=", messages[1].GetProperty("images")[0].GetString());
        var options = body.GetProperty("options");
        Assert.Equal(0.1, options.GetProperty("temperature").GetDouble());
        Assert.Equal(0.9, options.GetProperty("top_p").GetDouble());
        Assert.Equal(42, options.GetProperty("seed").GetInt64());
        Assert.Equal(["\n\n", "END"], options.GetProperty("stop").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(128, options.GetProperty("num_predict").GetInt32());
        Assert.Equal(0.5, options.GetProperty("frequency_penalty").GetDouble());
        Assert.Equal(0.25, options.GetProperty("presence_penalty").GetDouble());
        Assert.Equal(20, options.GetProperty("top_k").GetInt32());
        Assert.Equal(1.1, options.GetProperty("repeat_penalty").GetDouble());
        Assert.Equal(8192, options.GetProperty("num_ctx").GetInt32());
        Assert.Equal(1, options.GetProperty("mirostat").GetInt32());
        Assert.Equal(1, CountProperties(options, "temperature"));
        Assert.Equal(1, CountProperties(options, "num_ctx"));
        Assert.False(body.TryGetProperty("user", out _));
        Assert.False(body.TryGetProperty("logit_bias", out _));
        Assert.False(body.TryGetProperty("format", out _));
    }

    [Fact]
    public async Task RequestWithoutSamplingFieldsSendsNoOptions()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json(ChatAnswer));

        (await Create(upstream.BaseUrl).ChatAsync(Chat("""{"model":"m","messages":[{"role":"user","content":"hi"}]}"""), Ct)).Completed();

        Assert.False(upstream.Last.Body!.RootElement.TryGetProperty("options", out _));
    }

    [Theory]
    [InlineData("""{"type":"json_object"}""", "\"json\"")]
    [InlineData("""{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object","properties":{"age":{"type":"integer"}},"required":["age"]}}}""",
        """{"type":"object","properties":{"age":{"type":"integer"}},"required":["age"]}""")]
    public async Task ResponseFormatBecomesFormat(string responseFormat, string expectedFormat)
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json(ChatAnswer));

        (await Create(upstream.BaseUrl).ChatAsync(Chat($$"""{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{{responseFormat}}}"""), Ct)).Completed();

        Assert.Equal(expectedFormat, upstream.Last.Body!.RootElement.GetProperty("format").GetRawText().Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ToolsAndToolTurnsAreMappedToOllama()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json(ChatAnswer));

        (await Create(upstream.BaseUrl).ChatAsync(Chat("""
            {"model":"m","tools":[{"type":"function","function":{"name":"get_current_weather","description":"Weather","parameters":{"type":"object","properties":{"location":{"type":"string"}}}}}],
             "messages":[
               {"role":"user","content":"Weather in Paris?"},
               {"role":"assistant","content":null,"tool_calls":[{"id":"call_9","type":"function","function":{"name":"get_current_weather","arguments":"{\"location\":\"Paris\"}"}}]},
               {"role":"tool","tool_call_id":"call_9","content":"22 C"}]}
            """), Ct)).Completed();

        var body = upstream.Last.Body!.RootElement;
        var tool = body.GetProperty("tools")[0];
        Assert.Equal("function", tool.GetProperty("type").GetString());
        Assert.Equal("get_current_weather", tool.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("object", tool.GetProperty("function").GetProperty("parameters").GetProperty("type").GetString());
        var assistant = body.GetProperty("messages")[1];
        Assert.Equal("", assistant.GetProperty("content").GetString());
        var call = assistant.GetProperty("tool_calls")[0].GetProperty("function");
        Assert.Equal("get_current_weather", call.GetProperty("name").GetString());
        Assert.Equal("Paris", call.GetProperty("arguments").GetProperty("location").GetString());
        var result = body.GetProperty("messages")[2];
        Assert.Equal("tool", result.GetProperty("role").GetString());
        Assert.Equal("get_current_weather", result.GetProperty("tool_name").GetString());
        Assert.Equal("22 C", result.GetProperty("content").GetString());
    }

    [Fact]
    public async Task ToolChoiceNoneSendsNoTools()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json(ChatAnswer));

        (await Create(upstream.BaseUrl).ChatAsync(Chat("""
            {"model":"m","tool_choice":"none","tools":[{"type":"function","function":{"name":"f"}}],"messages":[{"role":"user","content":"hi"}]}
            """), Ct)).Completed();

        Assert.False(upstream.Last.Body!.RootElement.TryGetProperty("tools", out _));
    }

    [Theory]
    [InlineData("""{"model":"m","n":2,"messages":[{"role":"user","content":"hi"}]}""", "n")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]}""", "messages[0].content[0].image_url")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AAA","format":"wav"}}]}]}""", "messages[0].content[0].type")]
    [InlineData("""{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"not json"}}]}]}""", "messages[0].tool_calls[0].function.arguments")]
    public async Task RequestsOllamaCannotExpressAreRefusedWithoutCallingIt(string request, string param)
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json(ChatAnswer));

        var error = (await Create(upstream.BaseUrl).ChatAsync(Chat(request), Ct)).Failed();

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(param, error.Param);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task ChatAnswerIsMappedToACompletion()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json(ChatAnswer));

        var response = (await Create(upstream.BaseUrl).ChatAsync(Chat("""{"model":"llama3.2","messages":[{"role":"user","content":"hi"}]}"""), Ct)).Completed();

        Assert.StartsWith("chatcmpl-", response.Id, StringComparison.Ordinal);
        Assert.Equal("chat.completion", response.Object);
        Assert.Equal(new DateTimeOffset(2023, 12, 12, 14, 13, 43, TimeSpan.Zero).ToUnixTimeSeconds(), response.Created);
        Assert.Equal("llama3.2", response.Model);
        var choice = Assert.Single(response.Choices);
        Assert.Equal("assistant", choice.Message.Role);
        Assert.Equal("Hello! How are you today?", choice.Message.Text);
        Assert.Equal("stop", choice.FinishReason);
        Assert.Equal(26, response.Usage!.PromptTokens);
        Assert.Equal(298, response.Usage.CompletionTokens);
        Assert.Equal(324, response.Usage.TotalTokens);
    }

    [Fact]
    public async Task LengthDoneReasonBecomesLength()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json("""
            {"model":"m","created_at":"2024-01-01T00:00:00Z","message":{"role":"assistant","content":"cut"},"done":true,"done_reason":"length","prompt_eval_count":1,"eval_count":2}
            """));

        var response = (await Create(upstream.BaseUrl).ChatAsync(Chat("""{"model":"m","messages":[{"role":"user","content":"hi"}]}"""), Ct)).Completed();

        Assert.Equal("length", response.Choices[0].FinishReason);
    }

    [Fact]
    public async Task ToolCallAnswerIsMappedToOpenaiToolCalls()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json(ToolAnswer));

        var response = (await Create(upstream.BaseUrl).ChatAsync(Chat("""{"model":"m","messages":[{"role":"user","content":"hi"}]}"""), Ct)).Completed();

        var choice = response.Choices[0];
        Assert.Null(choice.Message.Content);
        Assert.Equal("tool_calls", choice.FinishReason);
        var call = Assert.Single(choice.Message.ToolCalls!);
        Assert.StartsWith("call_", call.Id, StringComparison.Ordinal);
        Assert.Equal("function", call.Type);
        Assert.Null(call.Index);
        Assert.Equal("get_current_weather", call.Function!.Name);
        using var arguments = JsonDocument.Parse(call.Function.Arguments!);
        Assert.Equal("Paris, FR", arguments.RootElement.GetProperty("location").GetString());
    }

    [Fact]
    public async Task ThinkingIsReturnedAsReasoningContent()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json("""
            {"model":"m","created_at":"2024-01-01T00:00:00Z","message":{"role":"assistant","content":"4","thinking":"2+2"},"done":true,"done_reason":"stop"}
            """));

        var response = (await Create(upstream.BaseUrl).ChatAsync(Chat("""{"model":"m","think":true,"messages":[{"role":"user","content":"2+2?"}]}"""), Ct)).Completed();

        Assert.True(upstream.Last.Body!.RootElement.GetProperty("think").GetBoolean());
        Assert.Equal("2+2", response.Choices[0].Message.AdditionalProperties!["reasoning_content"].GetString());
    }

    [Theory]
    [InlineData(false, 3)]
    [InlineData(true, 4)]
    public async Task StreamMapsNdjsonLinesToChunks(bool includeUsage, int expectedChunks)
    {
        await using var upstream = await FakeUpstream.StartAsync(async (context, _) =>
        {
            context.Response.ContentType = "application/x-ndjson";
            await context.Response.WriteLineAsync("""{"model":"llama3.2","created_at":"2023-08-04T08:52:19.385406455-07:00","message":{"role":"assistant","content":"The","images":null},"done":false}""");
            await context.Response.WriteLineAsync("""{"model":"llama3.2","created_at":"2023-08-04T08:52:19.4Z","message":{"role":"assistant","content":" sky"},"done":false}""");
            await context.Response.WriteLineAsync("""{"model":"llama3.2","created_at":"2023-08-04T19:22:45.499127Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":4883583458,"prompt_eval_count":26,"eval_count":282}""");
        });
        var usage = includeUsage ? ""","stream_options":{"include_usage":true}""" : "";

        var chunks = await (await Create(upstream.BaseUrl).ChatAsync(Chat($$"""{"model":"llama3.2","stream":true{{usage}},"messages":[{"role":"user","content":"why?"}]}"""), Ct)).Chunks().ToListAsync();

        Assert.True(upstream.Last.Body!.RootElement.GetProperty("stream").GetBoolean());
        Assert.Equal(expectedChunks, chunks.Count);
        Assert.All(chunks, c => Assert.Equal(chunks[0].Id, c.Id));
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.Object));
        Assert.All(chunks, c => Assert.Equal(chunks[0].Created, c.Created));
        Assert.Equal(new DateTimeOffset(2023, 8, 4, 15, 52, 19, TimeSpan.Zero).ToUnixTimeSeconds(), chunks[0].Created);
        Assert.Equal("assistant", chunks[0].Choices[0].Delta.Role);
        Assert.Equal("The", chunks[0].Choices[0].Delta.Content);
        Assert.Null(chunks[1].Choices[0].Delta.Role);
        Assert.Equal(" sky", chunks[1].Choices[0].Delta.Content);
        Assert.Null(chunks[1].Choices[0].FinishReason);
        Assert.Equal("stop", chunks[2].Choices[0].FinishReason);
        Assert.Null(chunks[2].Choices[0].Delta.Content);
        Assert.All(chunks.Take(3), c => Assert.Null(c.Usage));
        if (includeUsage)
        {
            Assert.Empty(chunks[3].Choices);
            Assert.Equal(26, chunks[3].Usage!.PromptTokens);
            Assert.Equal(282, chunks[3].Usage!.CompletionTokens);
        }
    }

    [Fact]
    public async Task SequentialCallsReuseOnePooledConnection()
    {
        await using var upstream = await FakeUpstream.StartAsync(async (context, _) =>
        {
            await context.Response.WriteLineAsync("""{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"a"},"done":false}""");
            await context.Response.WriteLineAsync("""{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"}""");
        });
        var provider = Create(upstream.BaseUrl);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(2, (await (await provider.ChatAsync(Chat("""{"model":"m","stream":true,"messages":[{"role":"user","content":"go"}]}"""), Ct)).Chunks().ToListAsync()).Count);
        }

        Assert.Single(upstream.Requests.Select(r => r.ConnectionId).Distinct());
    }

    [Fact]
    public async Task StreamMapsToolCalls()
    {
        await using var upstream = await FakeUpstream.StartAsync(async (context, _) =>
        {
            await context.Response.WriteLineAsync("""{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"a","arguments":{"x":1}}}]},"done":false}""");
            await context.Response.WriteLineAsync("""{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"","tool_calls":[{"id":"call_up","function":{"name":"b","arguments":{}}}]},"done":false}""");
            await context.Response.WriteLineAsync("""{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"}""");
        });

        var chunks = await (await Create(upstream.BaseUrl).ChatAsync(Chat("""{"model":"m","stream":true,"messages":[{"role":"user","content":"go"}]}"""), Ct)).Chunks().ToListAsync();

        var first = Assert.Single(chunks[0].Choices[0].Delta.ToolCalls!);
        Assert.Equal(0, first.Index);
        Assert.Equal("a", first.Function!.Name);
        Assert.Equal("""{"x":1}""", first.Function.Arguments);
        Assert.StartsWith("call_", first.Id, StringComparison.Ordinal);
        var second = Assert.Single(chunks[1].Choices[0].Delta.ToolCalls!);
        Assert.Equal(1, second.Index);
        Assert.Equal("call_up", second.Id);
        Assert.Equal("tool_calls", chunks[2].Choices[0].FinishReason);
    }

    [Fact]
    public async Task StreamYieldsEachLineAsItArrives()
    {
        var release = Signal();
        await using var upstream = await FakeUpstream.StartAsync(async (context, _) =>
        {
            await context.Response.WriteLineAsync("""{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"one"},"done":false}""");
            await release.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteLineAsync("""{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"}""");
        });

        var result = await Create(upstream.BaseUrl).ChatAsync(Chat("""{"model":"m","stream":true,"messages":[{"role":"user","content":"go"}]}"""), Ct);
        await using var chunks = result.Chunks().GetAsyncEnumerator(Ct);

        Assert.True(await chunks.MoveNextAsync());
        Assert.Equal("one", chunks.Current.Choices[0].Delta.Content);
        release.SetResult();
        Assert.True(await chunks.MoveNextAsync());
        Assert.Equal("stop", chunks.Current.Choices[0].FinishReason);
        Assert.False(await chunks.MoveNextAsync());
    }

    [Fact]
    public async Task CancellingAStreamAbortsTheUpstreamRequest()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.WriteThenHold(
            context => context.Response.WriteLineAsync("""{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"one"},"done":false}""")));
        var provider = Create(upstream.BaseUrl);

        await AssertCancellingAbortsUpstreamAsync(
            token => provider.ChatAsync(Chat("""{"model":"m","stream":true,"messages":[{"role":"user","content":"go"}]}"""), token),
            upstream.RequestAborted.Task);
    }

    [Fact]
    public async Task StreamErrorLineBecomesAStreamException()
    {
        await using var upstream = await FakeUpstream.StartAsync(async (context, _) =>
        {
            await context.Response.WriteLineAsync("""{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"one"},"done":false}""");
            await context.Response.WriteLineAsync("""{"error":"CUDA error at /srv/models/llama: password=hunter2"}""");
        });

        var result = await Create(upstream.BaseUrl).ChatAsync(Chat("""{"model":"m","stream":true,"messages":[{"role":"user","content":"go"}]}"""), Ct);

        var ex = await Assert.ThrowsAsync<ChatStreamException>(() => result.Chunks().ToListAsync());
        Assert.Equal(502, ex.Error.StatusCode);
        Assert.Contains("'local'", ex.Error.Message, StringComparison.Ordinal);
        // Like a 5xx body, the upstream's own words are logged, never forwarded.
        Assert.DoesNotContain("hunter2", ex.Error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"one"},"done":false}""")]
    [InlineData("""{"model":"m","message":{"role":"assistant","content":"one"},"done":false}""" + "\n{oops")]
    public async Task StreamThatEndsEarlyOrBreaksBecomesAStreamException(string lines)
    {
        await using var upstream = await FakeUpstream.StartAsync((context, _) => context.Response.WriteLineAsync(lines));

        var result = await Create(upstream.BaseUrl).ChatAsync(Chat("""{"model":"m","stream":true,"messages":[{"role":"user","content":"go"}]}"""), Ct);

        var ex = await Assert.ThrowsAsync<ChatStreamException>(() => result.Chunks().ToListAsync());
        Assert.Equal(502, ex.Error.StatusCode);
    }

    [Fact]
    public async Task MissingModelIs502NamingProviderAndModel()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json("""{"error":"model \"llama9\" not found, try pulling it first"}""", 404));

        var error = (await Create(upstream.BaseUrl).ChatAsync(Chat("""{"model":"llama9","stream":true,"messages":[{"role":"user","content":"go"}]}"""), Ct)).Failed();

        Assert.Equal(502, error.StatusCode);
        Assert.Equal(ProviderErrorCodes.UpstreamModelNotFound, error.Code);
        Assert.Contains("'local'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'llama9'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadRequestCarriesOllamasMessage()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json("""{"error":"registry.ollama.ai/library/gemma:2b does not support tools"}""", 400));

        var error = (await Create(upstream.BaseUrl).ChatAsync(Chat("""{"model":"gemma:2b","messages":[{"role":"user","content":"go"}]}"""), Ct)).Failed();

        Assert.Equal(400, error.StatusCode);
        Assert.Equal("registry.ollama.ai/library/gemma:2b does not support tools", error.Message);
    }

    [Fact]
    public async Task ServerErrorIs502AndRefusedConnection503()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json("""{"error":"llama runner process has terminated: signal: killed"}""", 500));

        var failed = (await Create(upstream.BaseUrl).ChatAsync(Chat("""{"model":"m","messages":[{"role":"user","content":"go"}]}"""), Ct)).Failed();
        var down = (await Create($"http://127.0.0.1:{Loopback.ClosedPort()}").ChatAsync(Chat("""{"model":"m","messages":[{"role":"user","content":"go"}]}"""), Ct)).Failed();

        Assert.Equal(502, failed.StatusCode);
        Assert.DoesNotContain("killed", failed.Message, StringComparison.Ordinal);
        Assert.Equal(503, down.StatusCode);
        Assert.Contains("'local'", down.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TimeoutIs504()
    {
        var received = Signal();
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.NeverAnswer(received));
        var time = new FakeTimeProvider();
        var provider = Create(upstream.BaseUrl, TimeSpan.FromSeconds(2), time);

        var error = await TimeOutAsync(
            () => provider.ChatAsync(Chat("""{"model":"m","stream":true,"messages":[{"role":"user","content":"go"}]}"""), Ct),
            received.Task, time, TimeSpan.FromSeconds(2));

        Assert.Equal(504, error.StatusCode);
    }

    [Fact]
    public async Task EmbeddingsUseApiEmbedAndPassVectorsThrough()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json("""
            {"model":"all-minilm","embeddings":[[0.010071029,-0.0017594862,0.05007221],[-0.0098027075,0.06042469,0.025478335]],"total_duration":14143917,"load_duration":1019500,"prompt_eval_count":8}
            """));

        var result = await Create(upstream.BaseUrl).EmbedAsync(Embedding("""{"model":"all-minilm","input":["Why is the sky blue?","Why is the grass green?"],"dimensions":3,"keep_alive":"1m","truncate":false}"""), Ct);

        Assert.Equal("/api/embed", upstream.Last.Path);
        var body = upstream.Last.Body!.RootElement;
        Assert.Equal(2, body.GetProperty("input").GetArrayLength());
        Assert.Equal(3, body.GetProperty("dimensions").GetInt32());
        Assert.Equal("1m", body.GetProperty("keep_alive").GetString());
        Assert.False(body.GetProperty("truncate").GetBoolean());
        var response = result.Response!;
        Assert.Equal("list", response.Object);
        Assert.Equal("all-minilm", response.Model);
        Assert.Equal(2, response.Data.Count);
        Assert.Equal(1, response.Data[1].Index);
        Assert.Equal("embedding", response.Data[1].Object);
        Assert.Equal(0.06042469f, response.Data[1].Embedding[1].GetSingle());
        Assert.Equal(8, response.Usage!.PromptTokens);
        Assert.Equal(8, response.Usage.TotalTokens);
    }

    [Fact]
    public async Task EmbeddingsHonourBase64Encoding()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json("""{"model":"e","embeddings":[[1.0,2.5,-0.125]],"prompt_eval_count":1}"""));

        var result = await Create(upstream.BaseUrl).EmbedAsync(Embedding("""{"model":"e","input":"hello","encoding_format":"base64"}"""), Ct);

        Assert.Equal("hello", upstream.Last.Body!.RootElement.GetProperty("input").GetString());
        Assert.False(upstream.Last.Body!.RootElement.TryGetProperty("encoding_format", out _));
        var bytes = Convert.FromBase64String(result.Response!.Data[0].Embedding.GetString()!);
        Assert.Equal([1.0f, 2.5f, -0.125f], MemoryMarshal.Cast<byte, float>(bytes).ToArray());
    }

    [Fact]
    public async Task TokenIdEmbeddingInputIsRefused()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json("{}"));

        var result = await Create(upstream.BaseUrl).EmbedAsync(Embedding("""{"model":"e","input":[1,2,3]}"""), Ct);

        Assert.Equal(400, result.Error!.StatusCode);
        Assert.Equal("input", result.Error.Param);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task EmbeddingErrorsAreMapped()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json("""{"error":"model \"nomic\" not found, try pulling it first"}""", 404));

        var result = await Create(upstream.BaseUrl).EmbedAsync(Embedding("""{"model":"nomic","input":"x"}"""), Ct);

        Assert.Equal(ProviderErrorCodes.UpstreamModelNotFound, result.Error!.Code);
    }

    [Fact]
    public async Task HealthUsesApiVersion()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json("""{"version":"0.12.6"}"""));

        var health = await Create(upstream.BaseUrl + "/api").CheckHealthAsync(Ct);
        var down = await Create($"http://127.0.0.1:{Loopback.ClosedPort()}").CheckHealthAsync(Ct);

        Assert.True(health.IsHealthy);
        Assert.Equal("/api/version", upstream.Last.Path);
        Assert.False(down.IsHealthy);
    }

    [Theory]
    [InlineData(null, "http://localhost:11434")]
    [InlineData("http://gpu-box:11434/", "http://gpu-box:11434")]
    [InlineData("http://gpu-box:11434/api/", "http://gpu-box:11434")]
    [InlineData("https://proxy.example/ollama", "https://proxy.example/ollama")]
    public void BaseUrlIsNormalizedToTheServerRoot(string? baseUrl, string expected) =>
        Assert.Equal(expected, OllamaProvider.NormalizeBaseUrl(baseUrl));

    private static int CountProperties(JsonElement element, string name) => element.EnumerateObject().Count(p => p.Name == name);

    [Fact]
    public async Task LogprobsAreAskedForAndComeBackInOpenaisShape()
    {
        // Ollama's token entries (token, logprob, bytes, top_logprobs) already have OpenAI's per-token shape.
        const string Tokens = """[{"token":"Hi","logprob":-0.25,"bytes":[72,105],"top_logprobs":[{"token":"Hi","logprob":-0.25,"bytes":[72,105]},{"token":"Hello","logprob":-1.5,"bytes":[72,101,108,108,111]}]}]""";
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json(
            $$"""{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"Hi"},"done":true,"done_reason":"stop","logprobs":{{Tokens}}}"""));

        var completion = (await Create(upstream.BaseUrl).ChatAsync(Chat("""{"model":"m","logprobs":true,"top_logprobs":2,"messages":[{"role":"user","content":"hi"}]}"""), Ct)).Completed();

        var body = upstream.Last.Body!.RootElement;
        Assert.True(body.GetProperty("logprobs").GetBoolean());
        Assert.Equal(2, body.GetProperty("top_logprobs").GetInt32());
        var logprobs = completion.Choices[0].Logprobs!.Value;
        var first = logprobs.GetProperty("content")[0];
        Assert.Equal("Hi", first.GetProperty("token").GetString());
        Assert.Equal(-0.25, first.GetProperty("logprob").GetDouble());
        Assert.Equal("Hello", first.GetProperty("top_logprobs")[1].GetProperty("token").GetString());
        Assert.Equal(JsonValueKind.Null, logprobs.GetProperty("refusal").ValueKind);
    }

    [Fact]
    public async Task LogprobsAreNotAskedForUnlessTheClientDoes()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json(ChatAnswer));

        var completion = (await Create(upstream.BaseUrl).ChatAsync(Chat("""{"model":"m","top_logprobs":2,"messages":[{"role":"user","content":"hi"}]}"""), Ct)).Completed();

        Assert.False(upstream.Last.Body!.RootElement.TryGetProperty("logprobs", out _));
        Assert.False(upstream.Last.Body!.RootElement.TryGetProperty("top_logprobs", out _));
        Assert.Null(completion.Choices[0].Logprobs);
    }

    [Fact]
    public async Task StreamedLogprobsArriveWithTheirChunk()
    {
        await using var upstream = await FakeUpstream.StartAsync(async (context, _) =>
        {
            await context.Response.WriteLineAsync("""{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"Hi"},"done":false,"logprobs":[{"token":"Hi","logprob":-0.5,"bytes":[72,105],"top_logprobs":[]}]}""");
            await context.Response.WriteLineAsync("""{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"}""");
        });

        var chunks = await (await Create(upstream.BaseUrl).ChatAsync(Chat("""{"model":"m","stream":true,"logprobs":true,"messages":[{"role":"user","content":"hi"}]}"""), Ct)).Chunks().ToListAsync();

        Assert.Equal(-0.5, chunks[0].Choices[0].Logprobs!.Value.GetProperty("content")[0].GetProperty("logprob").GetDouble());
        Assert.Null(chunks[1].Choices[0].Logprobs);
    }

    [Fact]
    public async Task LogprobsGetTheFieldsOllamaLeavesOutWhenEmpty()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json(
            """{"model":"m","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"Hi"},"done":true,"done_reason":"stop","logprobs":[{"token":"Hi","logprob":-0.25}]}"""));

        var completion = (await Create(upstream.BaseUrl).ChatAsync(Chat("""{"model":"m","logprobs":true,"messages":[{"role":"user","content":"hi"}]}"""), Ct)).Completed();

        var first = completion.Choices[0].Logprobs!.Value.GetProperty("content")[0];
        Assert.Equal("Hi", first.GetProperty("token").GetString());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("bytes").ValueKind);
        Assert.Equal(0, first.GetProperty("top_logprobs").GetArrayLength());
    }
}
