using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Switchboard.Errors;
using Switchboard.OpenAI;

namespace Switchboard.Streaming;

/// <summary>Reads an OpenAI-style SSE body (<c>data: {chunk}</c> … <c>data: [DONE]</c>) as typed chunks, one event at a time.</summary>
public static class SseChunkReader
{
    /// <summary>
    /// Yields each chunk as soon as its event is complete. An <c>error</c> event, an event that is not a chunk,
    /// or a body that ends before <c>[DONE]</c> without any choice having finished, surfaces as
    /// <see cref="ChatStreamException"/>.
    /// </summary>
    public static async IAsyncEnumerable<ChatCompletionChunk> ReadChunksAsync(
        Stream body,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        // Each event is parsed straight from the parser's buffer: no copy of the event's bytes.
        var parser = SseParser.Create(body, static (_, data) => data.SequenceEqual("[DONE]"u8) ? null : ParseChunk(data));
        var finished = false;
        await foreach (var item in parser.EnumerateAsync(cancellationToken))
        {
            if (item.Data is not { } chunk)
            {
                yield break;
            }

            finished |= chunk.Usage is not null || chunk.Choices.Any(c => c.FinishReason is not null);
            yield return chunk;
        }

        // Some servers omit [DONE]; a stream whose choices finished is complete all the same.
        if (!finished)
        {
            throw new ChatStreamException(GatewayError.BadGateway("The upstream ended the stream before it was complete."));
        }
    }

    /// <summary>Parses one event's data as a chunk, in a single pass on the common path.</summary>
    public static ChatCompletionChunk ParseChunk(ReadOnlySpan<byte> data)
    {
        ChatCompletionChunk? chunk;
        try
        {
            chunk = JsonSerializer.Deserialize(data, OpenAIJsonContext.Default.ChatCompletionChunk);
        }
        catch (JsonException ex)
        {
            // Only now look closer: an error event lacks the chunk's required fields.
            throw new ChatStreamException(DescribeBadEvent(data.ToArray()), ex);
        }

        if (chunk is null || ((IWireObject)chunk).CarriesError)
        {
            throw new ChatStreamException(DescribeBadEvent(data.ToArray()));
        }

        return chunk;
    }

    private static GatewayError DescribeBadEvent(byte[] data)
    {
        try
        {
            using var document = JsonDocument.Parse(data);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error))
            {
                var message = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String
                    ? m.GetString()
                    : "no details";
                return GatewayError.BadGateway($"The upstream reported an error mid-stream: {message}");
            }

            return GatewayError.BadGateway("The upstream sent a stream event that is not a chat completion chunk.");
        }
        catch (JsonException)
        {
            return GatewayError.BadGateway("The upstream sent a stream chunk that is not valid JSON.");
        }
    }
}
