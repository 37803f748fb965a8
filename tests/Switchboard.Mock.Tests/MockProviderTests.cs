using System.Text.Json;
using Switchboard.Errors;
using Switchboard.Mock.Provider;
using Switchboard.OpenAI;
using Switchboard.Pipeline;
using Switchboard.Providers;

namespace Switchboard.Mock.Tests;

/// <summary>The gateway's <c>type: mock</c> provider: echo without fixtures, the same engine with them.</summary>
public sealed class MockProviderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ChatCompletionRequest Request(string user, bool stream = false, bool usage = false, string model = "mock-echo") => new()
    {
        Model = model,
        Messages = [ChatMessage.User(user)],
        Stream = stream ? true : null,
        StreamOptions = usage ? new StreamOptions { IncludeUsage = true } : null,
    };

    [Fact]
    public async Task WithoutFixturesItIsTheEchoModel()
    {
        var provider = new MockChatProviderFactory().Create(new ProviderOptions { Name = "mock", Type = "mock" });
        Assert.Equal("mock", provider.Type);

        var result = Assert.IsType<ChatResult.Completed>(await provider.ChatAsync(Request("repeat after me"), Ct));

        Assert.Equal("repeat after me", result.Response.Choices[0].Message.Text);
        Assert.Equal("mock-echo", result.Response.Model);
        Assert.True(result.Response.Usage!.CompletionTokens > 0);
        Assert.Equal([MockModels.Echo], ((MockChatProvider)provider).Engine.Models);
        Assert.True((await provider.CheckHealthAsync(Ct)).IsHealthy);
    }

    [Fact]
    public async Task AStreamHasARoleChunkContentAFinishChunkAndUsageOnlyWhenAsked()
    {
        var provider = new MockChatProviderFactory().Create(new ProviderOptions { Name = "mock", Type = "mock" });

        var plain = await Collect(provider, Request("one two three four", stream: true));
        Assert.Equal("assistant", plain[0].Choices[0].Delta.Role);
        Assert.Equal("one two three four", string.Concat(plain.SelectMany(c => c.Choices).Select(c => c.Delta.Content)));
        Assert.Equal("stop", plain[^1].Choices[0].FinishReason);
        Assert.All(plain, c => Assert.Null(c.Usage));

        var withUsage = await Collect(provider, Request("one two three four", stream: true, usage: true));
        Assert.Empty(withUsage[^1].Choices);
        Assert.Equal(4, withUsage[^1].Usage!.CompletionTokens);
    }

    [Fact]
    public async Task WithFixturesItAnswersFromThemAndAMissIsA404WithDiagnostics()
    {
        var factory = new MockChatProviderFactory();
        var options = new ProviderOptions { Name = "rasa", Type = "mock", Settings = { ["fixtures"] = TestData.RasaCollection } };
        Assert.Empty(factory.Validate(options));
        var provider = factory.Create(options);
        var turn = TestData.RasaTurns()[0];

        var hit = Assert.IsType<ChatResult.Completed>(await provider.ChatAsync(Request(turn.Prompt, model: "gpt-4"), Ct));
        Assert.Equal(turn.Answer, hit.Response.Choices[0].Message.Text);

        var miss = Assert.IsType<ChatResult.Failed>(await provider.ChatAsync(Request(turn.Prompt.Replace("contact list", "friends", StringComparison.Ordinal), model: "gpt-4"), Ct));
        Assert.Equal(404, miss.Error.StatusCode);
        Assert.Equal(MockEngine.NoMatchCode, miss.Error.Code);
        Assert.Contains("start_flow", miss.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidationNamesTheKeyAndTheBrokenFile()
    {
        var factory = new MockChatProviderFactory();
        var missing = Assert.Single(factory.Validate(new ProviderOptions { Name = "m", Type = "mock", Settings = { ["fixtures"] = "/no/such/fixtures" } }));
        Assert.StartsWith("providers[m].fixtures:", missing, StringComparison.Ordinal);

        var folder = TestData.TempFolder();
        File.WriteAllText(Path.Combine(folder, "bad.yaml"), "- match: { last_user: x }\n  response: { contnet: y }\n");
        var broken = Assert.Single(factory.Validate(new ProviderOptions { Name = "m", Type = "mock", Settings = { ["fixtures"] = folder } }));
        Assert.Contains("bad.yaml:2: unknown key 'contnet'", broken, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SocketFaultsBecome502s()
    {
        var folder = TestData.TempFolder();
        File.WriteAllText(Path.Combine(folder, "faults.yaml"), """
            - match: { last_user: drop }
              response: { content: x, fault: { drop_connection: true } }
            - match: { last_user: break }
              response: { content: a b c d e f, fault: { drop_after_chunks: 2 } }
            - match: { last_user: garbage }
              response: { content: a b c d e f, fault: { malformed_chunk: 2 } }
            - match: { last_user: limit }
              response: { error: { status: 429, retry_after: 3 } }
            """);
        var provider = new MockChatProviderFactory().Create(new ProviderOptions { Name = "m", Type = "mock", Settings = { ["fixtures"] = folder } });

        Assert.Equal(502, Assert.IsType<ChatResult.Failed>(await provider.ChatAsync(Request("drop"), Ct)).Error.StatusCode);
        var limited = Assert.IsType<ChatResult.Failed>(await provider.ChatAsync(Request("limit"), Ct)).Error;
        Assert.Equal(429, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), limited.RetryAfter);

        foreach (var user in new[] { "break", "garbage" })
        {
            var error = await Assert.ThrowsAsync<ChatStreamException>(() => Collect(provider, Request(user, stream: true)));
            Assert.Equal(502, error.Error.StatusCode);
        }
    }

    [Fact]
    public async Task EmbeddingsAreDeterministicUnitVectorsAsFloatsOrBase64()
    {
        var provider = new MockChatProviderFactory().Create(new ProviderOptions { Name = "m", Type = "mock" });
        var input = JsonSerializer.SerializeToElement(new[] { "hello", "world", "hello" });

        var floats = (await provider.EmbedAsync(new EmbeddingRequest { Model = "mock-embedding", Input = input }, Ct)).Response!;
        var vectors = floats.Data.Select(d => d.Embedding.EnumerateArray().Select(e => e.GetSingle()).ToArray()).ToList();
        Assert.Equal(1536, vectors[0].Length);
        Assert.Equal(vectors[0], vectors[2]);
        Assert.NotEqual(vectors[0], vectors[1]);
        Assert.Equal(1.0, Math.Sqrt(vectors[0].Sum(v => (double)v * v)), 3);

        var base64 = (await provider.EmbedAsync(new EmbeddingRequest { Model = "m", Input = input, EncodingFormat = "base64", Dimensions = 8 }, Ct)).Response!;
        var bytes = Convert.FromBase64String(base64.Data[0].Embedding.GetString()!);
        Assert.Equal(8 * sizeof(float), bytes.Length);

        var invalid = await provider.EmbedAsync(new EmbeddingRequest { Model = "m" }, Ct);
        Assert.Equal(400, invalid.Error!.StatusCode);
    }

    private static async Task<List<ChatCompletionChunk>> Collect(IChatProvider provider, ChatCompletionRequest request)
    {
        var streaming = Assert.IsType<ChatResult.Streaming>(await provider.ChatAsync(request, Ct));
        var chunks = new List<ChatCompletionChunk>();
        await foreach (var chunk in streaming.Chunks.WithCancellation(Ct))
        {
            chunks.Add(chunk.Chunk);
        }

        return chunks;
    }

    [Fact]
    public async Task CreateUsesTheFixturesValidateParsedAndParsesAgainOnlyWithoutIt()
    {
        var file = Path.Combine(TestData.TempFolder(), "f.yaml");
        await File.WriteAllTextAsync(file, "- match: { last_user: hi }\n  response: validated\n", Ct);
        var factory = new MockChatProviderFactory();
        var options = new ProviderOptions { Name = "mock", Type = "mock", Settings = { ["fixtures"] = file } };

        Assert.Empty(factory.Validate(options));
        // Changed between Validate and Create: Create does not read the file again.
        await File.WriteAllTextAsync(file, "- match: { last_user: hi }\n  response: read again\n", Ct);
        var first = Assert.IsType<ChatResult.Completed>(await factory.Create(options).ChatAsync(Request("hi", model: "m"), Ct));
        Assert.Equal("validated", first.Response.Choices[0].Message.Text);

        // A second Create without a Validate before it reads the file.
        var second = Assert.IsType<ChatResult.Completed>(await factory.Create(options).ChatAsync(Request("hi", model: "m"), Ct));
        Assert.Equal("read again", second.Response.Choices[0].Message.Text);
    }
}
