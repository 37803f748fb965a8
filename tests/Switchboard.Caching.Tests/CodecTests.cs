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
    public void ACompressedBodyIsSmallerAndReadsBackExactly()
    {
        var body = System.Text.Encoding.UTF8.GetBytes("{\"choices\":[" + string.Join(',', Enumerable.Repeat("{\"message\":{\"role\":\"assistant\",\"content\":\"the same words again\"}}", 20)) + "]}");
        var answer = new CachedAnswer { Body = body, CreatedAt = DateTimeOffset.UnixEpoch, Model = "m" };

        var stored = CachedAnswerCodec.EncodeCompressed(answer);
        var plain = CachedAnswerCodec.DecodePlain(stored);

        Assert.True(stored.Length < body.Length / 2);
        Assert.Equal(CachedAnswerCodec.StoredBytes, stored[4]);
        Assert.Equal(body, plain!.Body.ToArray());
        Assert.Equal(body, CachedAnswerCodec.DecodePlain(CachedAnswerCodec.Encode(answer))!.Body.ToArray());
    }

    [Fact]
    public void AnEntryWithAnUnknownCodecReadsAsNothing()
    {
        var stored = CachedAnswerCodec.Encode(new CachedAnswer { Body = "{}"u8.ToArray(), CreatedAt = DateTimeOffset.UnixEpoch }, codec: 9);

        Assert.Null(CachedAnswerCodec.DecodePlain(stored));
    }

    [Fact]
    public void BytesThatAreNotAnEntryReadAsNothing()
    {
        Assert.Null(CachedAnswerCodec.Decode("""{"id":"x"}"""u8.ToArray()));
        Assert.Null(CachedAnswerCodec.Decode(ReadOnlyMemory<byte>.Empty));
    }
}
