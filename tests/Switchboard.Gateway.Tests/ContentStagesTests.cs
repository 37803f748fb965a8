using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using OpenAI.Chat;
using Switchboard.Gateway.Configuration;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>Response cleaning (<c>models[].clean</c>) and prompt compression (<c>models[].compress</c>) through the real gateway.</summary>
public sealed class ContentStagesTests : IAsyncLifetime
{
    private const string Fixtures = """
        fixtures:
          - name: thinker
            match: { last_user: think first }
            response:
              content: "<think>The user wants a greeting.\nKeep it short.</think>\n\nqwen: Hello there!<|im_end|>"
              stream: { chunk_size: 1 }
          - name: compressed
            match: { last_user: "You must answer to win." }
            response: the upstream saw the compressed prompt
          - name: original
            match: { last_user: "Please note that   you must answer in order to win." }
            response: the upstream saw the original prompt
        """;

    private DirectoryInfo? _directory;
    private string _fixtures = string.Empty;

    public async ValueTask InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory("switchboard-content-stages-");
        _fixtures = Path.Combine(_directory.FullName, "fixtures.yaml");
        await File.WriteAllTextAsync(_fixtures, Fixtures, TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        _directory?.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }

    private Task<TestGateway> StartAsync(string reasoning = "drop") => TestGateway.StartAsync($$"""
        providers:
          - {name: fake, type: mock, fixtures: "{{_fixtures}}"}
        models:
          - {name: qwen, deployments: [{provider: fake}], clean: true, clean_reasoning: {{reasoning}}}
          - {name: raw, deployments: [{provider: fake}]}
          - {name: squeezed, deployments: [{provider: fake}], compress: true}
        """);

    [Fact]
    public async Task CleansAPlainAnswerOfAModelThatAsks()
    {
        await using var gateway = await StartAsync();
        var chat = gateway.CreateOpenAIClient().GetChatClient("qwen");

        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("think first")], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("Hello there!", completion.Content[0].Text);
    }

    [Fact]
    public async Task CleansAStreamWhoseThinkTagIsSplitAcrossChunks()
    {
        await using var gateway = await StartAsync();
        var chat = gateway.CreateOpenAIClient().GetChatClient("qwen");
        var text = new StringBuilder();
        var updates = 0;

        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("think first")], cancellationToken: TestContext.Current.CancellationToken))
        {
            updates++;
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
        }

        Assert.Equal("Hello there!", text.ToString());
        Assert.True(updates > 2, "the answer should still arrive as a stream");
    }

    [Fact]
    public async Task MovesReasoningToReasoningContentWhenAsked()
    {
        await using var gateway = await StartAsync(reasoning: "move");

        using var response = await gateway.Http.PostAsync("/v1/chat/completions", Json("""{"model":"qwen","messages":[{"role":"user","content":"think first"}]}"""), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var message = body.RootElement.GetProperty("choices")[0].GetProperty("message");
        Assert.Equal("Hello there!", message.GetProperty("content").GetString());
        Assert.Equal("The user wants a greeting.\nKeep it short.", message.GetProperty("reasoning_content").GetString());
    }

    [Fact]
    public async Task MovesStreamedReasoningToReasoningContentDeltas()
    {
        await using var gateway = await StartAsync(reasoning: "move");

        using var response = await gateway.Http.PostAsync("/v1/chat/completions", Json("""{"model":"qwen","stream":true,"messages":[{"role":"user","content":"think first"}]}"""), TestContext.Current.CancellationToken);

        var (content, reasoning) = ReadStream(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Hello there!", content);
        Assert.Equal("The user wants a greeting.\nKeep it short.", reasoning.Trim());
    }

    [Fact]
    public async Task LeavesOtherModelsAnswersAsTheyCame()
    {
        await using var gateway = await StartAsync();
        var chat = gateway.CreateOpenAIClient().GetChatClient("raw");

        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("think first")], cancellationToken: TestContext.Current.CancellationToken);

        Assert.StartsWith("<think>", completion.Content[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompressesThePromptOfAModelThatAsksAndSaysHowMuchItSaved()
    {
        await using var gateway = await StartAsync();

        using var response = await gateway.Http.PostAsync("/v1/chat/completions", Json("""{"model":"squeezed","messages":[{"role":"user","content":"Please note that   you must answer in order to win."}]}"""), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("compressed prompt", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.True(int.Parse(response.Headers.GetValues("x-switchboard-tokens-saved").Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public async Task ARequestCanSwitchCompressionOffOrOn()
    {
        await using var gateway = await StartAsync();
        const string Body = """{"model":"MODEL","messages":[{"role":"user","content":"Please note that   you must answer in order to win."}]}""";

        using var off = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(Body.Replace("MODEL", "squeezed", StringComparison.Ordinal)) };
        off.Headers.Add("x-switchboard-compress", "off");
        using var offResponse = await gateway.Http.SendAsync(off, TestContext.Current.CancellationToken);
        Assert.Contains("original prompt", await offResponse.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.False(offResponse.Headers.Contains("x-switchboard-tokens-saved"));

        using var on = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(Body.Replace("MODEL", "raw", StringComparison.Ordinal)) };
        on.Headers.Add("x-switchboard-compress", "on");
        using var onResponse = await gateway.Http.SendAsync(on, TestContext.Current.CancellationToken);
        Assert.Contains("compressed prompt", await onResponse.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownReasoningModeStopsStartUpNamingTheKey()
    {
        var error = await Assert.ThrowsAsync<ConfigurationFileException>(() => StartAsync(reasoning: "keep"));

        Assert.Contains("models[0].clean_reasoning", error.Message, StringComparison.Ordinal);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static (string Content, string Reasoning) ReadStream(string sse)
    {
        var content = new StringBuilder();
        var reasoning = new StringBuilder();
        foreach (var line in sse.Split('\n'))
        {
            if (!line.StartsWith("data: {", StringComparison.Ordinal))
            {
                continue;
            }

            using var chunk = JsonDocument.Parse(line["data: ".Length..]);
            foreach (var choice in chunk.RootElement.GetProperty("choices").EnumerateArray())
            {
                var delta = choice.GetProperty("delta");
                if (delta.TryGetProperty("content", out var text) && text.ValueKind == JsonValueKind.String)
                {
                    content.Append(text.GetString());
                }

                if (delta.TryGetProperty("reasoning_content", out var thought))
                {
                    reasoning.Append(thought.GetString());
                }
            }
        }

        return (content.ToString(), reasoning.ToString());
    }
}
