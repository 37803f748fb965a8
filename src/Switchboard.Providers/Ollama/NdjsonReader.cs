using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Switchboard.Providers.Ollama;

/// <summary>
/// Reads newline-delimited JSON one object at a time as the bytes arrive: each line is parsed straight from
/// a pooled buffer, and nothing waits for more than the line it is reading.
/// </summary>
internal static class NdjsonReader
{
    private const int InitialBufferSize = 16 * 1024;
    private const int MaxLineBytes = 64 * 1024 * 1024;

    public static async IAsyncEnumerable<T> ReadAsync<T>(Stream stream, JsonTypeInfo<T> typeInfo, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class
    {
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
        var start = 0;
        var end = 0;
        var scanned = 0;
        try
        {
            while (true)
            {
                var newline = buffer.AsSpan(scanned, end - scanned).IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    var lineEnd = scanned + newline;
                    var item = Parse(buffer, start, lineEnd - start, typeInfo);
                    start = scanned = lineEnd + 1;
                    if (item is not null)
                    {
                        yield return item;
                    }

                    continue;
                }

                scanned = end;
                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    scanned -= start;
                    start = 0;
                }

                if (end == buffer.Length)
                {
                    if (buffer.Length >= MaxLineBytes)
                    {
                        throw new JsonException($"A line of the stream is longer than {MaxLineBytes} bytes.");
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    Buffer.BlockCopy(buffer, 0, larger, 0, end);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken);
                if (read == 0)
                {
                    var last = Parse(buffer, start, end - start, typeInfo);
                    if (last is not null)
                    {
                        yield return last;
                    }

                    yield break;
                }

                end += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static T? Parse<T>(byte[] buffer, int offset, int length, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        var line = buffer.AsSpan(offset, length).Trim(" \t\r"u8);
        return line.IsEmpty ? null : JsonSerializer.Deserialize(line, typeInfo);
    }
}
