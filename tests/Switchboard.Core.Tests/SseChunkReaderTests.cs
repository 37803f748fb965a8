using System.Text;
using Switchboard.Errors;
using Switchboard.Streaming;

namespace Switchboard.Core.Tests;

public sealed class SseChunkReaderTests
{
    private const string Chunk1 = """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}""";
    private const string Chunk2 = """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}],"x_vendor":{"a":1}}""";

    private static async Task<List<OpenAI.ChatCompletionChunk>> ReadAsync(string body) =>
        [.. (await CollectAsync(body)).Select(static e => e.Chunk)];

    [Fact]
    public async Task ReadsChunksUntilDone()
    {
        var chunks = await ReadAsync($"data: {Chunk1}\n\ndata: {Chunk2}\n\ndata: [DONE]\n\n");

        Assert.Equal(["Hel", "lo"], chunks.Select(c => c.Choices[0].Delta.Content));
        Assert.True(chunks[1].AdditionalProperties!.ContainsKey("x_vendor"));
    }

    [Fact]
    public async Task ToleratesCrLfAndCommentsAndMissingDoneAfterAFinish()
    {
        var chunks = await ReadAsync($": keep-alive\r\n\r\ndata: {Chunk1}\r\n\r\ndata: {Chunk2}\r\n\r\n");

        Assert.Equal(2, chunks.Count);
    }

    [Fact]
    public async Task ChunksWithoutIdOrModelAreAccepted()
    {
        var chunks = await ReadAsync("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");

        Assert.Equal("x", Assert.Single(chunks).Choices[0].Delta.Content);
    }

    [Fact]
    public async Task StreamCutOffBeforeAnyFinishIsAnError()
    {
        var ex = await Assert.ThrowsAsync<ChatStreamException>(() => ReadAsync($"data: {Chunk1}\n\n"));

        Assert.Equal(502, ex.Error.StatusCode);
        Assert.Contains("before it was complete", ex.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ErrorEventBecomesAStreamException()
    {
        var ex = await Assert.ThrowsAsync<ChatStreamException>(() => ReadAsync($"data: {Chunk1}\n\ndata: {{\"error\":{{\"message\":\"overloaded\"}}}}\n\n"));

        Assert.DoesNotContain("overloaded", ex.Error.Message, StringComparison.Ordinal);
        Assert.Equal("overloaded", ex.Error.UpstreamMessage);
    }

    [Fact]
    public async Task InvalidJsonBecomesAStreamException()
    {
        var ex = await Assert.ThrowsAsync<ChatStreamException>(() => ReadAsync("data: {\"id\": nope\n\n"));

        Assert.Contains("not valid JSON", ex.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EventsKeepTheUpstreamsBytesAndAreParsedOnlyOnDemand()
    {
        const string withNulls = """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"gr\u00fc\u00df","refusal":null},"logprobs":null,"finish_reason":null}],"x_vendor":{"a":null}}""";
        var events = await CollectAsync($"data: {withNulls}\n\ndata:{Chunk2}\n\ndata: [DONE]\n\n");

        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.True(e.HasJson));
        Assert.Equal(withNulls, Encoding.UTF8.GetString(events[0].Json.Span));
        Assert.Equal(Chunk2, Encoding.UTF8.GetString(events[1].Json.Span));
        Assert.False(events[0].Finishes);
        Assert.True(events[1].Finishes);
        Assert.Equal("grüß", events[0].Chunk.Choices[0].Delta.Content);
    }

    [Fact]
    public async Task AnEventSentOnSeveralDataLinesIsParsedSoItCanGoOutOnOne()
    {
        var events = await CollectAsync("data: {\"id\":\"c1\",\ndata: \"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");

        var only = Assert.Single(events);
        Assert.False(only.HasJson);
        Assert.True(only.Finishes);
        Assert.Equal("x", only.Chunk.Choices[0].Delta.Content);
    }

    [Fact]
    public async Task AForwardedEventWithFieldsOfTheWrongTypeFailsOnlyWhenParsed()
    {
        var events = await CollectAsync("data: {\"created\":\"yesterday\",\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");

        var only = Assert.Single(events);
        var ex = Assert.Throws<ChatStreamException>(() => only.Chunk);
        Assert.Equal(502, ex.Error.StatusCode);
    }

    [Theory]
    [InlineData("""{"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"stop"}]}""", """{"choices":[{"index":1,"delta":{"content":"b"},"finish_reason":null}]}""")]
    [InlineData("""{"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""", """{"choices":[{"index":0,"delta":{"content":"b"},"finish_reason":null}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}""")]
    public async Task AStreamCutOffWhileAChoiceIsStillOpenIsAnError(string first, string second)
    {
        // n = 2 with one choice finished; vLLM's usage on every chunk. Neither says the answer is complete.
        var ex = await Assert.ThrowsAsync<ChatStreamException>(() => CollectAsync($"data: {first}\n\ndata: {second}\n\n"));

        Assert.Contains("before it was complete", ex.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryChoiceFinishedOrAClosingUsageEventCompletesAStreamWithoutDone()
    {
        const string A = """{"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"stop"}]}""";
        const string B = """{"choices":[{"index":1,"delta":{"content":"b"},"finish_reason":"length"}]}""";
        const string Usage = """{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}""";

        Assert.Equal(2, (await CollectAsync($"data: {A}\n\ndata: {B}\n\n")).Count);
        Assert.Single(await CollectAsync($"data: {Usage}\n\n"));
    }

    [Fact]
    public async Task AnEventThatIsNotValidUtf8IsAnError()
    {
        var body = Encoding.UTF8.GetBytes("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"AB\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
        var at = Array.IndexOf(body, (byte)'A');
        body[at] = 0xC3;
        body[at + 1] = 0x28;

        var ex = await Assert.ThrowsAsync<ChatStreamException>(async () =>
        {
            await foreach (var _ in SseChunkReader.ReadChunksAsync(new MemoryStream(body), TestContext.Current.CancellationToken))
            {
            }
        });

        Assert.Contains("UTF-8", ex.Error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id":"u","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}""", true, 7, 3)]
    [InlineData("""{"usage":{"prompt_tokens_details":{"cached_tokens":5,"prompt_tokens":99},"completion_tokens":3,"total_tokens":10,"prompt_tokens":7},"choices":[]}""", true, 7, 3)]
    [InlineData("""{"choices":[{"index":0,"delta":{"content":"x","usage":{"prompt_tokens":1}},"finish_reason":"stop"}],"x":{"usage":2},"usage":{"prompt_tokens":4}}""", true, 4, 0)]
    [InlineData("""{"choices":[],"usage":null}""", false, 0, 0)]
    [InlineData("""{"choices":[],"usage":{"prompt_tokens":"7","completion_tokens":3}}""", false, 0, 0)]
    [InlineData("""{"choices":[],"usage":{"prompt_tokens":7.5,"completion_tokens":3}}""", false, 0, 0)]
    public async Task UsageCountsAreReadStraightFromTheBytesAsTheParsedChunkHasThem(string json, bool found, int prompt, int completion)
    {
        var fromBytes = Assert.Single(await CollectAsync($"data: {json}\n\ndata: [DONE]\n\n"));
        var parsedFirst = Assert.Single(await CollectAsync($"data: {json}\n\ndata: [DONE]\n\n"));

        Assert.Equal(found, fromBytes.TryReadUsage(out var p, out var c));
        Assert.Equal((prompt, completion), (p, c));
        if (found)
        {
            // The same counts once the chunk is parsed (then read from it).
            Assert.Equal((prompt, completion), (parsedFirst.Chunk.Usage!.PromptTokens, parsedFirst.Chunk.Usage.CompletionTokens));
            Assert.True(parsedFirst.TryReadUsage(out p, out c));
            Assert.Equal((prompt, completion), (p, c));
        }
    }

    private static async Task<List<StreamedChunk>> CollectAsync(string body)
    {
        var events = new List<StreamedChunk>();
        await foreach (var item in SseChunkReader.ReadChunksAsync(new MemoryStream(Encoding.UTF8.GetBytes(body)), TestContext.Current.CancellationToken))
        {
            events.Add(item);
        }

        return events;
    }
}
