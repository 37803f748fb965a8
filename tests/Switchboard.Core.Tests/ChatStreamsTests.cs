using Switchboard.Errors;
using Switchboard.OpenAI;
using Switchboard.Streaming;

namespace Switchboard.Core.Tests;

public sealed class ChatStreamsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StreamedChunk Upstream(string json) => SseChunkReader.ReadEvent(System.Text.Encoding.UTF8.GetBytes(json));

    private static async IAsyncEnumerable<StreamedChunk> Stream(params StreamedChunk[] chunks)
    {
        foreach (var chunk in chunks)
        {
            await Task.Yield();
            yield return chunk;
        }
    }

    [Fact]
    public async Task AccumulatingJoinsContentToolCallArgumentsAndKeepsUsageAndFinishReason()
    {
        var completion = await ChatStreams.AccumulateAsync(Stream(
            Upstream("""{"id":"chatcmpl-9","created":7,"model":"gpt-x","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"""),
            Upstream("""{"id":"chatcmpl-9","model":"gpt-x","choices":[{"index":0,"delta":{"content":"Hel"}}]}"""),
            Upstream("""{"id":"chatcmpl-9","model":"gpt-x","choices":[{"index":0,"delta":{"content":"lo"}}]}"""),
            Upstream("""{"id":"chatcmpl-9","model":"gpt-x","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get","arguments":"{\"a\""}}]}}]}"""),
            Upstream("""{"id":"chatcmpl-9","model":"gpt-x","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":":1}"}}]}}]}"""),
            Upstream("""{"id":"chatcmpl-9","model":"gpt-x","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"""),
            Upstream("""{"id":"chatcmpl-9","model":"gpt-x","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":4,"total_tokens":9}}""")), Ct);

        Assert.Equal("chatcmpl-9", completion.Id);
        Assert.Equal("gpt-x", completion.Model);
        Assert.Equal(7, completion.Created);
        var choice = Assert.Single(completion.Choices);
        Assert.Equal("tool_calls", choice.FinishReason);
        Assert.Equal("assistant", choice.Message.Role);
        Assert.Equal("Hello", choice.Message.Text);
        var call = Assert.Single(choice.Message.ToolCalls!);
        Assert.Equal(("call_1", "get", "{\"a\":1}"), (call.Id, call.Function!.Name, call.Function.Arguments));
        Assert.Equal(9, completion.Usage!.TotalTokens);
    }

    [Fact]
    public async Task AccumulatingKeepsChoicesApartByIndex()
    {
        var completion = await ChatStreams.AccumulateAsync(Stream(
            Upstream("""{"choices":[{"index":1,"delta":{"content":"B"}},{"index":0,"delta":{"content":"A"}}]}"""),
            Upstream("""{"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"stop"},{"index":1,"delta":{"content":"b"},"finish_reason":"length"}]}""")), Ct);

        Assert.Equal(["Aa", "Bb"], completion.Choices.Select(c => c.Message.Text));
        Assert.Equal([0, 1], completion.Choices.Select(c => c.Index));
        Assert.Equal(["stop", "length"], completion.Choices.Select(c => c.FinishReason));
    }

    [Fact]
    public async Task ObservingSeesEveryChunkAndTheEndWithoutParsingAnything()
    {
        var observer = new CountingObserver();
        var chunks = new List<StreamedChunk>();
        await foreach (var chunk in Stream(
            Upstream("""{"choices":[{"index":0,"delta":{"content":"a"}}]}"""),
            Upstream("""{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""")).Observe(observer).WithCancellation(Ct))
        {
            chunks.Add(chunk);
        }

        Assert.Equal(2, observer.Chunks);
        Assert.Equal(StreamEnd.Completed, observer.End);
        Assert.All(chunks, c => Assert.True(c.HasJson));
    }

    [Fact]
    public async Task ObservingHearsOfAFailureAndOfAReaderThatStopped()
    {
        var failing = new CountingObserver();
        await Assert.ThrowsAsync<ChatStreamException>(async () =>
        {
            await foreach (var chunk in Failing().Observe(failing).WithCancellation(Ct))
            {
            }
        });
        Assert.Equal(StreamEnd.Failed, failing.End);
        Assert.Equal(502, failing.Error!.StatusCode);

        var stopped = new CountingObserver();
        await foreach (var chunk in Stream(Upstream("""{"choices":[]}"""), Upstream("""{"choices":[]}""")).Observe(stopped).WithCancellation(Ct))
        {
            break;
        }

        Assert.Equal(StreamEnd.Abandoned, stopped.End);
        Assert.Equal(1, stopped.Chunks);
    }

    [Fact]
    public async Task MappingReplacesOrDropsChunks()
    {
        var kept = new List<string?>();
        var source = Stream(
            StreamedChunk.From(new ChatCompletionChunk { Choices = [new ChunkChoice { Delta = new ChatDelta { Content = "keep" } }] }),
            StreamedChunk.From(new ChatCompletionChunk { Choices = [new ChunkChoice { Delta = new ChatDelta { Content = "drop" } }] }));
        await foreach (var chunk in source.Map("drop", static (dropped, c) => c.Chunk.Choices[0].Delta.Content == dropped ? null : c).WithCancellation(Ct))
        {
            kept.Add(chunk.Chunk.Choices[0].Delta.Content);
        }

        Assert.Equal(["keep"], kept);
    }

    private static async IAsyncEnumerable<StreamedChunk> Failing()
    {
        await Task.Yield();
        yield return Upstream("""{"choices":[]}""");
        throw new ChatStreamException(GatewayError.BadGateway("gone"));
    }

    private sealed class CountingObserver : IChunkObserver
    {
        public int Chunks { get; private set; }

        public StreamEnd? End { get; private set; }

        public GatewayError? Error { get; private set; }

        public void OnChunk(StreamedChunk chunk) => Chunks++;

        public void OnEnd(StreamEnd end, GatewayError? error)
        {
            End = end;
            Error = error;
        }
    }
}
