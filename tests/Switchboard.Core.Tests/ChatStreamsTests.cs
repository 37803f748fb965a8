using System.Text;
using Switchboard.Errors;
using Switchboard.OpenAI;
using Switchboard.Streaming;

namespace Switchboard.Core.Tests;

public sealed class ChatStreamsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StreamedChunk Upstream(string json) => SseChunkReader.ReadEvent(Encoding.UTF8.GetBytes(json));

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

    [Fact]
    public async Task AReplayedCompletionAccumulatesBackIntoTheSameCompletion()
    {
        var completion = new ChatCompletionResponse
        {
            Id = "chatcmpl-1",
            Created = 5,
            Model = "m",
            Choices =
            [
                new ChatChoice { Index = 0, Message = ChatMessage.Assistant("first"), FinishReason = "stop" },
                new ChatChoice
                {
                    Index = 1,
                    FinishReason = "tool_calls",
                    Message = new ChatMessage
                    {
                        Role = "assistant",
                        ToolCalls = [new ToolCall { Id = "call_1", Type = "function", Function = new FunctionCall { Name = "f", Arguments = "{}" } }],
                    },
                },
            ],
            Usage = Usage.Of(4, 2),
        };

        var events = new List<StreamedChunk>();
        await foreach (var chunk in ChatStreams.Replay(completion, includeUsage: true).WithCancellation(Ct))
        {
            events.Add(chunk);
        }

        Assert.Equal(3, events.Count);
        Assert.True(events[^1].IsUsageOnly);
        Assert.All(events, e => Assert.True(e.Finishes));
        var back = await ChatStreams.AccumulateAsync(events.ToAsyncEnumerable(), Ct);
        Assert.Equal(completion.Id, back.Id);
        Assert.Equal(["first", string.Empty], back.Choices.Select(c => c.Message.Text));
        Assert.Equal("f", back.Choices[1].Message.ToolCalls![0].Function!.Name);
        Assert.Null(back.Choices[1].Message.Content);
        Assert.Equal(6, back.Usage!.TotalTokens);

        var withoutUsage = 0;
        await foreach (var chunk in ChatStreams.Replay(completion, includeUsage: false).WithCancellation(Ct))
        {
            Assert.False(chunk.HasUsage);
            withoutUsage++;
        }

        Assert.Equal(2, withoutUsage);
    }

    [Fact]
    public async Task StoredEventsReplayAsTheirOwnBytes()
    {
        var stored = new[]
        {
            Encoding.UTF8.GetBytes("""{"id":"x","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}],"extra":null}"""),
            Encoding.UTF8.GetBytes("""{"id":"x","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}"""),
        };

        var replayed = new List<StreamedChunk>();
        await foreach (var chunk in ChatStreams.Replay([.. stored.Select(b => (ReadOnlyMemory<byte>)b)], includeUsage: false).WithCancellation(Ct))
        {
            replayed.Add(chunk);
        }

        var only = Assert.Single(replayed);
        Assert.Equal(stored[0], only.Json.ToArray());
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
