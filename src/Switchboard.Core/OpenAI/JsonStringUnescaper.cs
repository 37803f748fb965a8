using System.Buffers;
using System.Text;

namespace Switchboard.OpenAI;

/// <summary>
/// Decodes a JSON string token straight into UTF-16. <see cref="System.Text.Json.Utf8JsonReader.GetString"/>
/// unescapes an escaped string into a pooled UTF-8 buffer, transcodes it, then clears the buffer; for a
/// prompt of several kilobytes full of <c>\n</c> that clearing was the largest cost of parsing a request.
/// </summary>
internal static class JsonStringUnescaper
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The text of <paramref name="escaped"/> (a string token's bytes between the quotes, as the reader validated
    /// them), or null when it holds what this decoder leaves to the reader: a <c>\u</c> escape of a surrogate
    /// (which the reader checks for pairing) or bytes that are not UTF-8 (which the reader reports).
    /// </summary>
    public static string? TryUnescape(ReadOnlySpan<byte> escaped)
    {
        // Every byte gives at most one UTF-16 unit: an escape is 2 or 6 bytes for 1 unit, UTF-8 needs 1 byte a unit or more.
        char[]? rented = null;
        var buffer = escaped.Length <= 256 ? stackalloc char[256] : (rented = ArrayPool<char>.Shared.Rent(escaped.Length));
        try
        {
            var written = 0;
            while (!escaped.IsEmpty)
            {
                var backslash = escaped.IndexOf((byte)'\\');
                var run = backslash < 0 ? escaped : escaped[..backslash];
                if (!run.IsEmpty)
                {
                    written += StrictUtf8.GetChars(run, buffer[written..]);
                }

                if (backslash < 0)
                {
                    break;
                }

                var consumed = 2;
                switch (escaped[backslash + 1])
                {
                    case (byte)'n': buffer[written++] = '\n'; break;
                    case (byte)'r': buffer[written++] = '\r'; break;
                    case (byte)'t': buffer[written++] = '\t'; break;
                    case (byte)'b': buffer[written++] = '\b'; break;
                    case (byte)'f': buffer[written++] = '\f'; break;
                    case (byte)'u':
                        var unit = (char)((Hex(escaped[backslash + 2]) << 12) | (Hex(escaped[backslash + 3]) << 8) | (Hex(escaped[backslash + 4]) << 4) | Hex(escaped[backslash + 5]));
                        if (char.IsSurrogate(unit))
                        {
                            return null;
                        }

                        buffer[written++] = unit;
                        consumed = 6;
                        break;
                    default: buffer[written++] = (char)escaped[backslash + 1]; break; // \" \\ \/
                }

                escaped = escaped[(backslash + consumed)..];
            }

            return new string(buffer[..written]);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private static int Hex(byte digit) => digit switch
    {
        >= (byte)'0' and <= (byte)'9' => digit - '0',
        >= (byte)'a' and <= (byte)'f' => digit - 'a' + 10,
        _ => digit - 'A' + 10,
    };
}
