using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Unicode;
using Switchboard.Errors;

namespace Switchboard.Streaming;

/// <summary>Reads an OpenAI-style SSE body (<c>data: {chunk}</c> … <c>data: [DONE]</c>) one event at a time.</summary>
public static class SseChunkReader
{
    /// <summary>
    /// Yields each event as soon as it is complete, keeping the upstream's JSON to forward as it came. An
    /// <c>error</c> event, an event that is not a chunk, or a body that ends before <c>[DONE]</c> without any
    /// choice having finished, surfaces as <see cref="ChatStreamException"/>.
    /// </summary>
    public static async IAsyncEnumerable<StreamedChunk> ReadChunksAsync(
        Stream body,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        // Each event is checked straight from the parser's buffer; only its bytes are kept, no objects built.
        var parser = SseParser.Create(body, static (_, data) => data.SequenceEqual("[DONE]"u8) ? null : ReadEvent(data));
        var progress = new StreamProgress();
        await foreach (var item in parser.EnumerateAsync(cancellationToken))
        {
            if (item.Data is not { } chunk)
            {
                yield break;
            }

            progress.Add(chunk);
            yield return chunk;
        }

        // Some servers omit [DONE]; a stream whose every choice finished is complete all the same.
        if (!progress.IsComplete)
        {
            throw new ChatStreamException(GatewayError.BadGateway("The upstream ended the stream before it was complete."));
        }
    }

    /// <summary>One event's data as a chunk to forward: its bytes when they can go out as one SSE line, else parsed.</summary>
    public static StreamedChunk ReadEvent(ReadOnlySpan<byte> data)
    {
        var scan = ChunkScanner.Scan(data);
        if (!scan.IsChunk)
        {
            throw new ChatStreamException(ChunkScanner.DescribeBadEvent(data));
        }

        // The reader checks JSON structure, not the UTF-8 inside strings; the client decodes every byte.
        if (!Utf8.IsValid(data))
        {
            throw new ChatStreamException(GatewayError.BadGateway("The upstream sent a stream event that is not valid UTF-8."));
        }

        // An event sent as several data: lines arrives joined with line breaks, which one data: line cannot carry.
        return data.IndexOfAny((byte)'\n', (byte)'\r') < 0
            ? StreamedChunk.FromJson(data.ToArray(), scan)
            : StreamedChunk.From(StreamedChunk.Parse(data));
    }
}
