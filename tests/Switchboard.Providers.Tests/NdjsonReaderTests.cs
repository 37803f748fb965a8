using System.Text;
using System.Text.Json;
using Switchboard.Providers.Ollama;
using static Switchboard.Providers.Tests.TestSupport;

namespace Switchboard.Providers.Tests;

public sealed class NdjsonReaderTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task LinesSplitAcrossReadsAreReassembled(int readSize)
    {
        var text = "{\"model\":\"a\",\"done\":false}\r\n\n  \n{\"model\":\"b\",\"done\":false}\n{\"model\":\"c\",\"done\":true}";

        var lines = await ReadAllAsync(new TrickleStream(Encoding.UTF8.GetBytes(text), readSize));

        Assert.Equal(["a", "b", "c"], lines.Select(l => l.Model));
        Assert.True(lines[2].Done);
    }

    [Fact]
    public async Task LinesLongerThanTheBufferAreReadWhole()
    {
        var content = new string('x', 100_000);
        var text = $"{{\"model\":\"a\",\"message\":{{\"role\":\"assistant\",\"content\":\"{content}\"}}}}\n{{\"model\":\"b\"}}\n";

        var lines = await ReadAllAsync(new TrickleStream(Encoding.UTF8.GetBytes(text), 5000));

        Assert.Equal(content, lines[0].Message!.Content);
        Assert.Equal("b", lines[1].Model);
    }

    [Fact]
    public async Task ABrokenLineThrowsJsonException()
    {
        var stream = new TrickleStream(Encoding.UTF8.GetBytes("{\"model\":\"a\"}\n{broken\n"), 64);

        await Assert.ThrowsAnyAsync<JsonException>(() => ReadAllAsync(stream));
    }

    private static async Task<List<OllamaChatResponse>> ReadAllAsync(Stream stream)
    {
        var lines = new List<OllamaChatResponse>();
        await foreach (var line in NdjsonReader.ReadAsync(stream, OllamaJsonContext.Default.OllamaChatResponse, Ct))
        {
            lines.Add(line);
        }

        return lines;
    }

    /// <summary>Hands out at most <c>readSize</c> bytes per read, as a slow network would.</summary>
    private sealed class TrickleStream(byte[] data, int readSize) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, readSize)], cancellationToken);
    }
}
