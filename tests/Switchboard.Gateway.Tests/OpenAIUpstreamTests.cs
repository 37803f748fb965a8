using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OpenAI.Chat;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>The gateway in front of a real HTTP server that plays an OpenAI-compatible upstream.</summary>
public sealed class OpenAIUpstreamTests : IAsyncLifetime
{
    private const string UpstreamModel = "gpt-4o-2024-08-06";
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(15);

    private FakeUpstream _upstream = null!;
    private TestGateway _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync(
            $$"""
            providers:
              - name: upstream
                type: openai
                base_url: {{_upstream.BaseUrl}}/v1
                api_key: env:UPSTREAM_KEY
                timeout: 2s
            models:
              - name: gpt-4o
                aliases: [four-o]
                deployments:
                  - {provider: upstream, model: {{UpstreamModel}}}
              - name: text-embedding-3-small
                deployments: [{provider: upstream}]
            routing:
              rules:
                - match: "*claude*"
                  model: gpt-4o
            """,
            new Dictionary<string, string?> { ["UPSTREAM_KEY"] = "sk-upstream-secret" });
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task ForwardsUnknownFieldsRewritesTheModelAndSendsTheUpstreamKey()
    {
        _upstream.Handler = (context, _) => OpenAIUpstreamResponses.WriteJsonAsync(context.Response, OpenAIUpstreamResponses.Completion(UpstreamModel, "Hi there"));
        var body = """
            {"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":"low"}}]}],
             "seed":7,"logit_bias":{"50256":-100},"metadata":{"team":"a"},"user":"u-1","reasoning_effort":"low","custom_field":{"nested":[1,2,3]}}
            """;

        using var response = await _gateway.Http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(_upstream.Requests);
        Assert.Equal("/v1/chat/completions", received.Path);
        Assert.Equal("Bearer sk-upstream-secret", received.Headers["Authorization"]);
        var sent = received.Body!.RootElement;
        Assert.Equal(UpstreamModel, sent.GetProperty("model").GetString());
        Assert.Equal("low", sent.GetProperty("reasoning_effort").GetString());
        Assert.Equal(3, sent.GetProperty("custom_field").GetProperty("nested").GetArrayLength());
        Assert.Equal(-100, sent.GetProperty("logit_bias").GetProperty("50256").GetInt32());
        Assert.Equal("a", sent.GetProperty("metadata").GetProperty("team").GetString());
        Assert.Equal("low", sent.GetProperty("messages")[0].GetProperty("content")[1].GetProperty("image_url").GetProperty("detail").GetString());
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Hi there", answer.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(0, answer.RootElement.GetProperty("usage").GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt32());
        Assert.Equal("upstream", response.Headers.GetValues("x-switchboard-provider").Single());
    }

    [Fact]
    public async Task TheUpstreamGetsTheClientsBytesWithOnlyTheModelReplaced()
    {
        _upstream.Handler = (context, _) => OpenAIUpstreamResponses.WriteJsonAsync(context.Response, OpenAIUpstreamResponses.Completion(UpstreamModel, "ok"));
        // Field order, spacing, an explicit null, a number written 0.70, escapes and a field nobody models.
        const string Sent = """
            { "messages" : [ {"role":"user","content":"caf\u00e9 \"quoted\"", "name": null} ],
              "temperature": 0.70, "tool_choice": null, "x_vendor": {"deep": [1.0, 2e3]}, "model": "four-o", "stream": false }
            """;

        using var response = await _gateway.Http.PostAsync("/v1/chat/completions", new StringContent(Sent, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        using var embed = await _gateway.Http.PostAsync(
            "/v1/embeddings",
            new StringContent("""{"input": ["a", "b"], "model": "text-embedding-3-small", "encoding_format": "float"}""", Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var requests = _upstream.Requests.ToArray();
        Assert.Equal(Sent.Replace("\"four-o\"", $"\"{UpstreamModel}\"", StringComparison.Ordinal), requests[0].Text);
        Assert.Equal("""{"input": ["a", "b"], "model": "text-embedding-3-small", "encoding_format": "float"}""", requests[1].Text);
    }

    [Fact]
    public async Task OpenAISdkCompletesThroughTheGateway()
    {
        _upstream.Handler = (context, _) => OpenAIUpstreamResponses.WriteJsonAsync(context.Response, OpenAIUpstreamResponses.Completion(UpstreamModel, "Paris"));
        var chat = _gateway.CreateOpenAIClient().GetChatClient("four-o");

        var completion = (await chat.CompleteChatAsync([new UserChatMessage("Capital of France?")], cancellationToken: TestContext.Current.CancellationToken)).Value;

        Assert.Equal("Paris", completion.Content[0].Text);
        Assert.Equal(29, completion.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task RoutingRulesSendMatchingNamesToTheirModel()
    {
        _upstream.Handler = (context, _) => OpenAIUpstreamResponses.WriteJsonAsync(context.Response, OpenAIUpstreamResponses.Completion(UpstreamModel, "ruled"));
        var chat = _gateway.CreateOpenAIClient().GetChatClient("my-claude-3-opus");

        var completion = (await chat.CompleteChatAsync([new UserChatMessage("x")], cancellationToken: TestContext.Current.CancellationToken)).Value;

        Assert.Equal("ruled", completion.Content[0].Text);
        Assert.Equal(UpstreamModel, Assert.Single(_upstream.Requests).Body!.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task ToolsGoUpAndToolCallsComeBack()
    {
        _upstream.Handler = (context, _) => OpenAIUpstreamResponses.WriteJsonAsync(context.Response, OpenAIUpstreamResponses.ToolCallCompletion(UpstreamModel));
        var chat = _gateway.CreateOpenAIClient().GetChatClient("gpt-4o");
        var tool = ChatTool.CreateFunctionTool("get_current_weather", "Weather in a city", BinaryData.FromString("""{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}"""));
        var options = new ChatCompletionOptions { Tools = { tool }, ToolChoice = ChatToolChoice.CreateAutoChoice() };

        var completion = (await chat.CompleteChatAsync([new UserChatMessage("Weather in Boston?")], options, TestContext.Current.CancellationToken)).Value;

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        var call = Assert.Single(completion.ToolCalls);
        Assert.Equal("get_current_weather", call.FunctionName);
        Assert.Equal("call_abc123", call.Id);
        Assert.Contains("Boston", call.FunctionArguments.ToString(), StringComparison.Ordinal);
        var sent = Assert.Single(_upstream.Requests).Body!.RootElement;
        Assert.Equal("get_current_weather", sent.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("auto", sent.GetProperty("tool_choice").GetString());
    }

    [Fact]
    public async Task StreamsEachChunkAsSoonAsTheUpstreamSendsIt()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _upstream.Handler = async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await OpenAIUpstreamResponses.WriteEventAsync(context.Response, OpenAIUpstreamResponses.Chunk(UpstreamModel, "first", role: true));
            await release.Task.WaitAsync(context.RequestAborted);
            await OpenAIUpstreamResponses.WriteEventAsync(context.Response, OpenAIUpstreamResponses.Chunk(UpstreamModel, " second"));
            await OpenAIUpstreamResponses.WriteEventAsync(context.Response, OpenAIUpstreamResponses.Chunk(UpstreamModel, null, "stop"));
            await OpenAIUpstreamResponses.WriteEventAsync(context.Response, "[DONE]");
        };
        using var guard = new CancellationTokenSource(Guard);
        var chat = _gateway.CreateOpenAIClient().GetChatClient("gpt-4o");
        var text = new StringBuilder();

        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("go")], cancellationToken: guard.Token))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            // The upstream holds back the rest until the first chunk has reached this client: a gateway
            // that buffered the stream would never get here, and the guard would cancel the test.
            if (text.ToString() == "first")
            {
                release.TrySetResult();
            }
        }

        Assert.Equal("first second", text.ToString());
        Assert.True(Assert.Single(_upstream.Requests).Body!.RootElement.GetProperty("stream").GetBoolean());
    }

    [Fact]
    public async Task StreamedEventsReachTheClientByteForByteEvenInABurstLargerThanOneWrite()
    {
        // Nulls, vendor fields and escapes exactly as the upstream wrote them; 400 events (~80 KB) in one
        // write, so the gateway's sends are cut by its size cap rather than by waiting for the upstream.
        var events = new List<string> { OpenAIUpstreamResponses.Chunk(UpstreamModel, "gr\\u00fc\\u00df", role: true).Replace("}]}", "}],\"x_vendor\":{\"trace\":null}}", StringComparison.Ordinal) };
        events.AddRange(Enumerable.Range(0, 400).Select(i => OpenAIUpstreamResponses.Chunk(UpstreamModel, $" {i}")));
        events.Add(OpenAIUpstreamResponses.Chunk(UpstreamModel, null, "stop"));
        var burst = string.Concat(events.Select(e => $"data: {e}\n\n")) + "data: [DONE]\n\n";
        _upstream.Handler = async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync(burst, context.RequestAborted);
        };

        using var response = await PostChatAsync(stream: true);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(burst, body);
        Assert.Contains("\"logprobs\":null", body, StringComparison.Ordinal);
        Assert.Contains("\"x_vendor\":{\"trace\":null}", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientThatDisconnectsCancelsTheUpstreamCall()
    {
        _upstream.Handler = async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await OpenAIUpstreamResponses.WriteEventAsync(context.Response, OpenAIUpstreamResponses.Chunk(UpstreamModel, "first", role: true));
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        };
        var chat = _gateway.CreateOpenAIClient().GetChatClient("gpt-4o");
        using var client = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("go")], cancellationToken: client.Token))
            {
                if (update.ContentUpdate.Count > 0)
                {
                    await client.CancelAsync();
                }
            }
        });

        await _upstream.RequestAborted.Task.WaitAsync(Guard, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task ClientThatGivesUpOnAPlainRequestCancelsTheUpstreamCall()
    {
        // A gateway without the short timeout of this class, so only the client's disconnect can end the call.
        await using var patient = await TestGateway.StartAsync($$"""
            providers:
              - {name: upstream, type: openai, base_url: "{{_upstream.BaseUrl}}/v1", timeout: 10m}
            models:
              - {name: gpt-4o, deployments: [{provider: upstream}]}
            """);
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _upstream.Handler = async (context, _) =>
        {
            arrived.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        };
        using var client = new CancellationTokenSource();

        var call = patient.Http.PostAsync(
            "/v1/chat/completions",
            new StringContent("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", Encoding.UTF8, "application/json"),
            client.Token);
        await arrived.Task.WaitAsync(Guard, TestContext.Current.CancellationToken);
        await client.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await _upstream.RequestAborted.Task.WaitAsync(Guard, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task StreamThatGoesQuietIsEndedWithATimeoutEvent()
    {
        _upstream.Handler = async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await OpenAIUpstreamResponses.WriteEventAsync(context.Response, OpenAIUpstreamResponses.Chunk(UpstreamModel, "first", role: true));
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        };
        using var guard = new CancellationTokenSource(Guard);

        using var response = await PostChatAsync(stream: true);
        var body = await response.Content.ReadAsStringAsync(guard.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("first", body, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"upstream_timeout\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("[DONE]", body, StringComparison.Ordinal);
        await _upstream.RequestAborted.Task.WaitAsync(Guard, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task UpstreamServerErrorIs502WithoutItsBody()
    {
        _upstream.Handler = (context, _) => OpenAIUpstreamResponses.WriteJsonAsync(context.Response, "{\"error\":{\"message\":\"db password hunter2 leaked at Foo.Bar()\"}}", 500);

        using var response = await PostChatAsync();

        var error = await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadGateway);
        Assert.DoesNotContain("hunter2", error.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpstreamOverloadIs503()
    {
        _upstream.Handler = (context, _) => OpenAIUpstreamResponses.WriteJsonAsync(context.Response, "{\"error\":{\"message\":\"overloaded\"}}", 503);

        using var response = await PostChatAsync();

        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task UpstreamRateLimitIs429WithRetryAfter()
    {
        _upstream.Handler = (context, _) =>
        {
            context.Response.Headers.RetryAfter = "7";
            return OpenAIUpstreamResponses.WriteJsonAsync(context.Response, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}", 429);
        };

        using var response = await PostChatAsync();

        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.TooManyRequests);
        Assert.Equal("7", response.Headers.GetValues("retry-after").Single());
    }

    [Fact]
    public async Task UpstreamBadRequestIs400WithItsMessage()
    {
        _upstream.Handler = (context, _) => OpenAIUpstreamResponses.WriteJsonAsync(
            context.Response,
            "{\"error\":{\"message\":\"This model's maximum context length is 128000 tokens.\",\"type\":\"invalid_request_error\",\"param\":\"messages\",\"code\":\"context_length_exceeded\"}}",
            400);

        using var response = await PostChatAsync();

        var error = await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("maximum context length", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpstreamThatIsTooSlowIs504()
    {
        _upstream.Handler = (context, _) => Task.Delay(Timeout.Infinite, context.RequestAborted);

        using var response = await PostChatAsync();

        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.GatewayTimeout);
    }

    [Fact]
    public async Task StreamThatFailsBeforeItStartsIsAPlainError()
    {
        _upstream.Handler = (context, _) => OpenAIUpstreamResponses.WriteJsonAsync(context.Response, "{\"error\":{\"message\":\"boom\"}}", 500);

        using var response = await PostChatAsync(stream: true);

        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadGateway);
    }

    [Fact]
    public async Task SdkSeesUpstreamFailuresAsClientResultExceptions()
    {
        _upstream.Handler = (context, _) => OpenAIUpstreamResponses.WriteJsonAsync(context.Response, "{}", 500);
        var chat = _gateway.CreateOpenAIClient().GetChatClient("gpt-4o");

        var ex = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("x")], cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(502, ex.Status);
    }

    [Fact]
    public async Task EmbeddingsPassThrough()
    {
        _upstream.Handler = (context, _) => OpenAIUpstreamResponses.WriteJsonAsync(
            context.Response,
            """{"object":"list","data":[{"object":"embedding","embedding":[0.0023064255,-0.009327292,-0.0028842222],"index":0}],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}""");
        var embeddings = _gateway.CreateOpenAIClient().GetEmbeddingClient("text-embedding-3-small");

        var vector = (await embeddings.GenerateEmbeddingAsync("The food was delicious", cancellationToken: TestContext.Current.CancellationToken)).Value.ToFloats();

        Assert.Equal(3, vector.Length);
        Assert.Equal("/v1/embeddings", Assert.Single(_upstream.Requests).Path);
    }

    [Fact]
    public async Task PlainAnswersAndEmbeddingsReachTheClientByteForByte()
    {
        var completion = OpenAIUpstreamResponses.Completion(UpstreamModel, "gr\\u00fc\\u00df");
        const string Embeddings = """{"object":"list","data":[{"object":"embedding","embedding":[0.0023064255,-9.327292E-3,1e-7],"index":0}],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8},"x_vendor":null}""";
        _upstream.Handler = (context, _) => OpenAIUpstreamResponses.WriteJsonAsync(
            context.Response,
            context.Request.Path.Value!.EndsWith("/embeddings", StringComparison.Ordinal) ? Embeddings : completion);

        using var chat = await PostChatAsync();
        using var embed = await _gateway.Http.PostAsync(
            "/v1/embeddings",
            new StringContent("""{"model":"text-embedding-3-small","input":"hi"}""", Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);

        // Nulls ("refusal", "logprobs"), empty arrays, the upstream's layout, escapes and number formats all kept.
        Assert.Equal(completion, await chat.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(Encoding.UTF8.GetByteCount(completion), chat.Content.Headers.ContentLength);
        Assert.Equal(Embeddings, await embed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("application/json", chat.Content.Headers.ContentType?.MediaType);
    }

    private Task<HttpResponseMessage> PostChatAsync(bool stream = false) => _gateway.Http.PostAsync(
        "/v1/chat/completions",
        new StringContent($"{{\"model\":\"gpt-4o\",\"stream\":{(stream ? "true" : "false")},\"messages\":[{{\"role\":\"user\",\"content\":\"hi\"}}]}}", Encoding.UTF8, "application/json"),
        TestContext.Current.CancellationToken);
}
