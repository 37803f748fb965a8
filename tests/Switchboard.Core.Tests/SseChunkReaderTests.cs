using System.Text;
using Switchboard.Errors;
using Switchboard.Streaming;

namespace Switchboard.Core.Tests;

public sealed class SseChunkReaderTests
{
    private const string Chunk1 = """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}""";
    private const string Chunk2 = """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}],"x_vendor":{"a":1}}""";

    private static async Task<List<OpenAI.ChatCompletionChunk>> ReadAsync(string body)
    {
        var chunks = new List<OpenAI.ChatCompletionChunk>();
        await foreach (var chunk in SseChunkReader.ReadChunksAsync(new MemoryStream(Encoding.UTF8.GetBytes(body)), TestContext.Current.CancellationToken))
        {
            chunks.Add(chunk.Chunk);
        }

        return chunks;
    }

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

        Assert.Contains("overloaded", ex.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidJsonBecomesAStreamException()
    {
        var ex = await Assert.ThrowsAsync<ChatStreamException>(() => ReadAsync("data: {\"id\": nope\n\n"));

        Assert.Contains("not valid JSON", ex.Error.Message, StringComparison.Ordinal);
    }
}
