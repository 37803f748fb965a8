using System.Text;
using Switchboard.Streaming;

namespace Switchboard.Core.Tests;

public sealed class ChunkScannerTests
{
    private static ChunkScan Scan(string json) => ChunkScanner.Scan(Encoding.UTF8.GetBytes(json));

    [Theory]
    [InlineData("""{"id":"c","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]}""", false, false)]
    [InlineData("""{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""", true, false)]
    [InlineData("""{"id":"c","choices":[{"index":0,"delta":{"content":"a"}},{"index":1,"delta":{},"finish_reason":"length"}]}""", true, false)]
    [InlineData("""{"id":"c","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}""", true, true)]
    [InlineData("""{"id":"c","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}],"usage":null}""", false, false)]
    [InlineData("""{"id":"c","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""", false, true)]
    [InlineData("""{}""", false, false)]
    [InlineData("""  {"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"finish_reason\":\"x\"}"}}]}}]}  """, false, false)]
    [InlineData("""{"x_vendor":{"finish_reason":"stop","usage":{"a":1},"choices":5},"choices":[{"logprobs":{"content":[{"finish_reason":"no"}]},"delta":{}}]}""", false, false)]
    public void AWellFormedChunkIsAcceptedAndItsEndIsNoticed(string json, bool finishes, bool hasUsage)
    {
        var scan = Scan(json);

        Assert.True(scan.IsChunk);
        Assert.Equal(finishes, scan.Finishes);
        Assert.Equal(hasUsage, scan.HasUsage);
    }

    [Theory]
    [InlineData("""{"error":{"message":"overloaded"}}""")]
    [InlineData("""{"choices":[],"error":"bad"}""")]
    [InlineData("""[1,2]""")]
    [InlineData("\"text\"")]
    [InlineData("""{"choices":"none"}""")]
    [InlineData("""{"choices":null}""")]
    [InlineData("""{"choices":[1]}""")]
    [InlineData("""{"choices":[{"finish_reason":7}]}""")]
    [InlineData("""{"usage":"lots"}""")]
    [InlineData("""{"choices":[{"index":"first"}]}""")]
    [InlineData("""{"id":"c"} trailing""")]
    [InlineData("""{"id":"c",}""")]
    [InlineData("""{"id": nope""")]
    [InlineData("""{"id":"c" /* comment */}""")]
    [InlineData("")]
    public void AnythingElseIsRefused(string json) => Assert.False(Scan(json).IsChunk);

    [Theory]
    [InlineData("""{"error":{"message":"overloaded","type":"server_error"}}""", "The upstream reported an error in the middle of the stream.")]
    [InlineData("""{"error":"quota exceeded"}""", "The upstream reported an error in the middle of the stream.")]
    [InlineData("""{"error":{"code":500}}""", "The upstream reported an error in the middle of the stream.")]
    [InlineData("""{"choices":"none"}""", "The upstream sent a stream event that is not a chat completion chunk.")]
    [InlineData("""[1]""", "The upstream sent a stream event that is not a chat completion chunk.")]
    [InlineData("""{"id": nope""", "The upstream sent a stream chunk that is not valid JSON.")]
    public void ARefusedEventIsDescribedWithoutItsRawBody(string json, string message)
    {
        var error = ChunkScanner.DescribeBadEvent(Encoding.UTF8.GetBytes(json));

        Assert.Equal(502, error.StatusCode);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("""{"error":{"message":"db password=hunter2","type":"server_error"}}""", "db password=hunter2")]
    [InlineData("""{"error":"quota exceeded"}""", "quota exceeded")]
    [InlineData("""{"error":{"code":500}}""", "no details")]
    [InlineData("""{"choices":"none"}""", null)]
    [InlineData("""{"error":{"message":"\udc00"}}""", "no details")]
    public void AnUpstreamsOwnErrorMessageIsKeptForTheLog(string json, string? message) =>
        Assert.Equal(message, ChunkScanner.DescribeBadEvent(Encoding.UTF8.GetBytes(json)).UpstreamMessage);

    [Theory]
    [InlineData("""{"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}""", false)]
    [InlineData("""{"choices":[{"index":0,"delta":{"role":"assistant"}}]}""", false)]
    [InlineData("""{"choices":[{"index":0,"delta":{"content":null,"refusal":null,"tool_calls":[]}}]}""", false)]
    [InlineData("""{"choices":[{"index":0,"delta":{}}],"usage":null}""", false)]
    [InlineData("""{"choices":[]}""", false)]
    [InlineData("""{"choices":[{"index":0,"delta":{"content":"Hi"}}]}""", true)]
    [InlineData("""{"choices":[{"index":0,"delta":{"role":"assistant","content":"\n"}}]}""", true)]
    [InlineData("""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"f","arguments":""}}]}}]}""", true)]
    [InlineData("""{"choices":[{"index":0,"delta":{"refusal":"I can't"}}]}""", true)]
    [InlineData("""{"choices":[{"index":0,"delta":{"reasoning_content":"thinking"}}]}""", true)]
    [InlineData("""{"choices":[{"index":0,"delta":{"function_call":{"name":"f"}}}]}""", true)]
    [InlineData("""{"choices":[{"index":0,"delta":{"role":"assistant","content":""}},{"index":1,"delta":{"content":"x"}}]}""", true)]
    public void ContentToolCallsAndRefusalsAreToldFromEmptyDeltas(string json, bool carriesContent)
    {
        var scan = Scan(json);

        Assert.True(scan.IsChunk);
        Assert.Equal(carriesContent, scan.CarriesContent);
    }

    [Fact]
    public void AChunkBuiltBySwitchboardKnowsWhetherItCarriesContent()
    {
        Assert.False(StreamedChunk.From(Chunk(new Switchboard.OpenAI.ChatDelta { Role = "assistant", Content = string.Empty })).CarriesContent);
        Assert.True(StreamedChunk.From(Chunk(new Switchboard.OpenAI.ChatDelta { Content = "x" })).CarriesContent);
        Assert.True(StreamedChunk.From(Chunk(new Switchboard.OpenAI.ChatDelta { ToolCalls = [new Switchboard.OpenAI.ToolCall { Index = 0 }] })).CarriesContent);
    }

    private static Switchboard.OpenAI.ChatCompletionChunk Chunk(Switchboard.OpenAI.ChatDelta delta) =>
        new() { Choices = [new Switchboard.OpenAI.ChunkChoice { Delta = delta }] };
}
