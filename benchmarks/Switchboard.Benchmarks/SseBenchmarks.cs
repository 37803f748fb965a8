using System.Buffers;
using System.IO.Pipelines;
using System.Text.Encodings.Web;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Switchboard.Hosting.Http;
using Switchboard.OpenAI;
using Switchboard.Streaming;

namespace Switchboard.Benchmarks;

/// <summary>
/// The streaming path: reading an upstream SSE body of 50 content chunks with <see cref="SseChunkReader"/>
/// (checked and kept as bytes, as the gateway forwards them; and parsed, as a stage that reads every chunk
/// would), and writing events into a pipe: the upstream's bytes as they came, or chunks serialized with
/// <see cref="OpenAIResponseWriter.WriteEvent{T}"/> and the relaxed encoder.
/// All figures are per whole stream (52 events); divide by 52 for one event.
/// </summary>
[MemoryDiagnoser]
public class SseBenchmarks
{
    private const int ContentChunks = 50;
    private byte[] _sseBody = null!;
    private List<ChatCompletionChunk> _chunks = null!;
    private Pipe _pipe = null!;
    private Utf8JsonWriter _json = null!;
    private List<byte[]> _eventJson = null!;

    [GlobalSetup]
    public void Setup()
    {
        _sseBody = Payloads.SseBody(ContentChunks);
        _chunks = Payloads.Chunks(ContentChunks);
        _eventJson = [.. _chunks.Select(static c => JsonSerializer.SerializeToUtf8Bytes(c, OpenAIJsonContext.Default.ChatCompletionChunk))];
        _pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        _json = new Utf8JsonWriter(_pipe.Writer, new JsonWriterOptions { SkipValidation = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    [Benchmark(Description = "SseChunkReader: check and keep 52 events (forwarded as they came)")]
    public async Task<int> ReadChunks()
    {
        var count = 0;
        await foreach (var chunk in ReadAsync())
        {
            count += chunk.Json.Length;
        }

        return count;
    }

    [Benchmark(Description = "SseChunkReader: read 52 events and parse each into a chunk")]
    public async Task<int> ReadAndParseChunks()
    {
        var count = 0;
        await foreach (var chunk in ReadAsync())
        {
            count += chunk.Chunk.Choices.Count;
        }

        return count;
    }

    [Benchmark(Description = "Write 52 events as the upstream's bytes into a Pipe")]
    public async Task<long> WriteRawEvents()
    {
        var writer = _pipe.Writer;
        foreach (var json in _eventJson)
        {
            writer.Write("data: "u8);
            writer.Write(json);
            writer.Write("\n\n"u8);
        }

        return await EndAndDrainAsync();
    }

    [Benchmark(Description = "WriteEvent: write 52 events into a Pipe")]
    public async Task<long> WriteEvents()
    {
        var writer = _pipe.Writer;
        foreach (var chunk in _chunks)
        {
            OpenAIResponseWriter.WriteEvent(writer, _json, chunk, OpenAIJsonContext.Relaxed.ChatCompletionChunk);
        }

        return await EndAndDrainAsync();
    }

    [Benchmark(Description = "WriteEvent + FlushAsync per event (no coalescing)")]
    public async Task<long> WriteEventsFlushEach()
    {
        var writer = _pipe.Writer;
        long length = 0;
        foreach (var chunk in _chunks)
        {
            OpenAIResponseWriter.WriteEvent(writer, _json, chunk, OpenAIJsonContext.Relaxed.ChatCompletionChunk);
            await writer.FlushAsync();
            var read = await _pipe.Reader.ReadAsync();
            length += read.Buffer.Length;
            _pipe.Reader.AdvanceTo(read.Buffer.End);
        }

        return length;
    }

    private IAsyncEnumerable<StreamedChunk> ReadAsync() =>
        SseChunkReader.ReadChunksAsync(new MemoryStream(_sseBody, writable: false), CancellationToken.None);

    /// <summary>Writes <c>[DONE]</c>, flushes, and reads everything back out of the pipe.</summary>
    private async Task<long> EndAndDrainAsync()
    {
        var writer = _pipe.Writer;
        OpenAIResponseWriter.WriteDone(writer);
        await writer.FlushAsync();
        var read = await _pipe.Reader.ReadAsync();
        var length = read.Buffer.Length;
        _pipe.Reader.AdvanceTo(read.Buffer.End);
        return length;
    }
}
