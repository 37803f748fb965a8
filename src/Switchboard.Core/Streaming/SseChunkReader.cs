using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Switchboard.Errors;
using Switchboard.OpenAI;

namespace Switchboard.Streaming;

/// <summary>Reads an OpenAI-style SSE body (<c>data: {chunk}</c> … <c>data: [DONE]</c>) as typed chunks, one event at a time.</summary>
public static class SseChunkReader
{
    public static async IAsyncEnumerable<ChatCompletionChunk> ReadChunksAsync(
        Stream body,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var parser = SseParser.Create(body, static (_, data) => data.ToArray());
        await foreach (var item in parser.EnumerateAsync(cancellationToken))
        {
            var data = item.Data;
            if (data.AsSpan().SequenceEqual("[DONE]"u8))
            {
                yield break;
            }

            yield return ParseChunk(data);
        }
    }

    private static ChatCompletionChunk ParseChunk(byte[] data)
    {
        try
        {
            using var document = JsonDocument.Parse(data);
            if (document.RootElement.TryGetProperty("error", out var error))
            {
                var message = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String
                    ? m.GetString()
                    : "unknown error";
                throw new ChatStreamException(GatewayError.BadGateway($"The upstream reported an error mid-stream: {message}"));
            }

            return document.RootElement.Deserialize(OpenAIJsonContext.Default.ChatCompletionChunk)
                ?? throw new ChatStreamException("The upstream sent an empty stream chunk.");
        }
        catch (JsonException ex)
        {
            throw new ChatStreamException("The upstream sent a stream chunk that is not valid JSON.", ex);
        }
    }
}
