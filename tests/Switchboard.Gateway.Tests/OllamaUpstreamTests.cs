using System.Text;
using System.Text.Json;
using OpenAI.Chat;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>The gateway in front of a real HTTP server that plays Ollama's native API (/api/chat, /api/embed).</summary>
public sealed class OllamaUpstreamTests : IAsyncLifetime
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(15);

    private FakeUpstream _ollama = null!;
    private TestGateway _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        _ollama = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($$"""
            providers:
              - name: local-ollama
                type: ollama
                base_url: {{_ollama.BaseUrl}}
            models:
              - name: llama
                deployments: [{provider: local-ollama, model: "llama3.2:3b"}]
              - name: minilm
                deployments: [{provider: local-ollama, model: all-minilm}]
            """);
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _ollama.DisposeAsync();
    }

    [Fact]
    public async Task ChatIsMappedToApiChatWithOptions()
    {
        _ollama.Handler = (context, _) => OpenAIUpstreamResponses.WriteJsonAsync(context.Response, """
            {"model":"llama3.2:3b","created_at":"2023-12-12T14:13:43.416799Z","message":{"role":"assistant","content":"Hello! How are you today?"},
             "done":true,"done_reason":"stop","total_duration":5191566416,"load_duration":2154458,"prompt_eval_count":26,"prompt_eval_duration":383809000,"eval_count":298,"eval_duration":4799921000}
            """);
        var body = """
            {"model":"llama","temperature":0.2,"top_p":0.9,"max_tokens":64,"stop":["END"],"seed":42,"repeat_penalty":1.1,
             "messages":[{"role":"system","content":"Be kind."},{"role":"user","content":"hello"}]}
            """;

        using var response = await _gateway.Http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        response.EnsureSuccessStatusCode();
        var sent = Assert.Single(_ollama.Requests);
        Assert.Equal("/api/chat", sent.Path);
        var request = sent.Body!.RootElement;
        Assert.Equal("llama3.2:3b", request.GetProperty("model").GetString());
        Assert.False(request.GetProperty("stream").GetBoolean());
        Assert.Equal("system", request.GetProperty("messages")[0].GetProperty("role").GetString());
        var options = request.GetProperty("options");
        Assert.Equal(0.2, options.GetProperty("temperature").GetDouble(), 3);
        Assert.Equal(0.9, options.GetProperty("top_p").GetDouble(), 3);
        Assert.Equal(64, options.GetProperty("num_predict").GetInt32());
        Assert.Equal("END", options.GetProperty("stop")[0].GetString());
        Assert.Equal(42, options.GetProperty("seed").GetInt32());
        Assert.Equal(1.1, options.GetProperty("repeat_penalty").GetDouble(), 3);

        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var root = answer.RootElement;
        Assert.Equal("chat.completion", root.GetProperty("object").GetString());
        Assert.Equal("Hello! How are you today?", root.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", root.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(26, root.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(298, root.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task NdjsonStreamBecomesOpenAIChunksAsItArrives()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ollama.Handler = async (context, _) =>
        {
            context.Response.ContentType = "application/x-ndjson";
            await context.Response.WriteLineAsync("""{"model":"llama3.2:3b","created_at":"2023-08-04T08:52:19.385406455-07:00","message":{"role":"assistant","content":"The"},"done":false}""");
            await release.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteLineAsync("""{"model":"llama3.2:3b","created_at":"2023-08-04T08:52:19.385406455-07:00","message":{"role":"assistant","content":" sky"},"done":false}""");
            await context.Response.WriteLineAsync("""{"model":"llama3.2:3b","created_at":"2023-08-04T19:22:45.499127Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":4883583458,"load_duration":1334875,"prompt_eval_count":26,"prompt_eval_duration":342546000,"eval_count":282,"eval_duration":4535599000}""");
        };
        using var guard = new CancellationTokenSource(Guard);
        var chat = _gateway.CreateOpenAIClient().GetChatClient("llama");
        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;

        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Why is the sky blue?")], cancellationToken: guard.Token))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            if (text.ToString() == "The")
            {
                release.TrySetResult();
            }

            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.Equal("The sky", text.ToString());
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage);
        Assert.Equal(282, usage.OutputTokenCount);
        Assert.True(Assert.Single(_ollama.Requests).Body!.RootElement.GetProperty("stream").GetBoolean());
    }

    [Fact]
    public async Task ToolCallsComeBackInOpenAIShape()
    {
        _ollama.Handler = (context, _) => OpenAIUpstreamResponses.WriteJsonAsync(context.Response, """
            {"model":"llama3.2:3b","created_at":"2024-07-22T20:33:28.123648Z","message":{"role":"assistant","content":"",
              "tool_calls":[{"function":{"name":"get_current_weather","arguments":{"format":"celsius","location":"Paris, FR"}}}]},
             "done_reason":"stop","done":true,"total_duration":885095291,"prompt_eval_count":122,"eval_count":20}
            """);
        var chat = _gateway.CreateOpenAIClient().GetChatClient("llama");
        var tool = ChatTool.CreateFunctionTool("get_current_weather", "Weather", BinaryData.FromString("""{"type":"object","properties":{"location":{"type":"string"},"format":{"type":"string"}}}"""));

        var completion = (await chat.CompleteChatAsync([new UserChatMessage("Weather in Paris?")], new ChatCompletionOptions { Tools = { tool } }, TestContext.Current.CancellationToken)).Value;

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        var call = Assert.Single(completion.ToolCalls);
        Assert.Equal("get_current_weather", call.FunctionName);
        using var arguments = JsonDocument.Parse(call.FunctionArguments.ToString());
        Assert.Equal("Paris, FR", arguments.RootElement.GetProperty("location").GetString());
        var sentTools = Assert.Single(_ollama.Requests).Body!.RootElement.GetProperty("tools");
        Assert.Equal("get_current_weather", sentTools[0].GetProperty("function").GetProperty("name").GetString());
    }

    [Fact]
    public async Task EmbeddingsUseApiEmbed()
    {
        _ollama.Handler = (context, _) => OpenAIUpstreamResponses.WriteJsonAsync(context.Response, """
            {"model":"all-minilm","embeddings":[[0.010071029,-0.0017594862,0.05007221],[-0.0098027075,0.06042469,0.025257962]],"total_duration":14143917,"load_duration":1019500,"prompt_eval_count":8}
            """);
        var embeddings = _gateway.CreateOpenAIClient().GetEmbeddingClient("minilm");

        var result = (await embeddings.GenerateEmbeddingsAsync(["Why is the sky blue?", "Why is the grass green?"], cancellationToken: TestContext.Current.CancellationToken)).Value;

        Assert.Equal(2, result.Count);
        Assert.Equal(3, result[1].ToFloats().Length);
        var sent = Assert.Single(_ollama.Requests);
        Assert.Equal("/api/embed", sent.Path);
        Assert.Equal(2, sent.Body!.RootElement.GetProperty("input").GetArrayLength());
    }
}
