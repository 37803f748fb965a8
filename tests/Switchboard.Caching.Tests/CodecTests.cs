using Switchboard.Caching.Entries;

namespace Switchboard.Caching.Tests;

public sealed class CodecTests
{
    [Fact]
    public void AnEntryReadsBackAsItWasWritten()
    {
        var answer = new CachedAnswer
        {
            Body = """{"id":"chatcmpl-1","choices":[]}"""u8.ToArray(),
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123),
            Model = "gpt-4o",
            Provider = "openai-main",
            PromptTokens = 12,
            CompletionTokens = 34,
            CostUsd = 0.000123m,
        };

        var decoded = CachedAnswerCodec.Decode(CachedAnswerCodec.Encode(answer), out var codec);

        Assert.NotNull(decoded);
        Assert.Equal(CachedAnswerCodec.Uncompressed, codec);
        Assert.Equal(answer.Body.ToArray(), decoded.Body.ToArray());
        Assert.Equal(answer with { Body = default }, decoded with { Body = default });
    }

    [Fact]
    public void BytesThatAreNotAnEntryReadAsNothing()
    {
        Assert.Null(CachedAnswerCodec.Decode("""{"id":"x"}"""u8.ToArray()));
        Assert.Null(CachedAnswerCodec.Decode(ReadOnlyMemory<byte>.Empty));
    }
}
