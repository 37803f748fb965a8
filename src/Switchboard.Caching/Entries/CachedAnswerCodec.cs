using System.Buffers.Binary;
using System.Text;

namespace Switchboard.Caching.Entries;

/// <summary>
/// The stored form of a <see cref="CachedAnswer"/>, the same in every store (memory, Redis, SQL):
/// <code>
/// "SBC" version:u8 codec:u8 created:i64(unix ms) prompt:i32 completion:i32 cost:decimal(16)
/// model:len-prefixed UTF-8, provider:len-prefixed UTF-8, body (to the end)
/// </code>
/// The header is never compressed; <c>codec</c> says how the body is: 0 as it came, 1 a
/// <see cref="Switchboard.Compression.StoredBytes"/> value (its own format byte, then the body raw or
/// Brotli-compressed). Entries written with either codec stay readable side by side.
/// </summary>
public static class CachedAnswerCodec
{
    /// <summary>The body is stored as it came.</summary>
    public const byte Uncompressed = 0;

    /// <summary>The body is a <see cref="Switchboard.Compression.StoredBytes"/> value (Brotli when that made it smaller).</summary>
    public const byte StoredBytes = 1;

    private const byte Version = 1;
    private static ReadOnlySpan<byte> Magic => "SBC"u8;

    /// <summary>Writes an answer; <paramref name="codec"/> says how <see cref="CachedAnswer.Body"/> is already encoded.</summary>
    public static byte[] Encode(CachedAnswer answer, byte codec = Uncompressed)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var model = Encoding.UTF8.GetBytes(answer.Model);
        var provider = Encoding.UTF8.GetBytes(answer.Provider);
        var buffer = new byte[3 + 1 + 1 + 8 + 4 + 4 + 16 + 4 + model.Length + 4 + provider.Length + answer.Body.Length];
        var span = buffer.AsSpan();
        Magic.CopyTo(span);
        span[3] = Version;
        span[4] = codec;
        var offset = 5;
        BinaryPrimitives.WriteInt64LittleEndian(span[offset..], answer.CreatedAt.ToUnixTimeMilliseconds());
        offset += 8;
        BinaryPrimitives.WriteInt32LittleEndian(span[offset..], answer.PromptTokens);
        offset += 4;
        BinaryPrimitives.WriteInt32LittleEndian(span[offset..], answer.CompletionTokens);
        offset += 4;
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(answer.CostUsd, bits);
        foreach (var part in bits)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[offset..], part);
            offset += 4;
        }

        offset = WriteBytes(span, offset, model);
        offset = WriteBytes(span, offset, provider);
        answer.Body.Span.CopyTo(span[offset..]);
        return buffer;
    }

    /// <summary>
    /// Writes an answer whose <see cref="CachedAnswer.Body"/> is plain JSON, compressing the body losslessly
    /// (<see cref="StoredBytes"/>) so stores hold fewer bytes; bodies too small to gain stay raw inside it.
    /// </summary>
    public static byte[] EncodeCompressed(CachedAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return Encode(answer with { Body = Switchboard.Compression.StoredBytes.EncodeFast(answer.Body.Span) }, StoredBytes);
    }

    /// <summary>
    /// Reads an entry written by <see cref="Encode"/> or <see cref="EncodeCompressed"/> and restores its body to the
    /// plain JSON it was; null when the bytes are not an entry, or its codec is unknown or its body damaged.
    /// </summary>
    public static CachedAnswer? DecodePlain(ReadOnlyMemory<byte> stored)
    {
        var answer = Decode(stored, out var codec);
        switch (answer, codec)
        {
            case (null, _):
                return null;
            case (_, Uncompressed):
                return answer;
            case (_, StoredBytes):
                try
                {
                    return answer with { Body = Switchboard.Compression.StoredBytes.Decode(answer.Body.Span) };
                }
                catch (InvalidDataException)
                {
                    return null;
                }

            default:
                return null;
        }
    }

    /// <summary>Reads an entry; null when the bytes are not one (another version, or damaged).</summary>
    public static CachedAnswer? Decode(ReadOnlyMemory<byte> stored) => Decode(stored, out _);

    /// <summary>Reads an entry and says how its body is encoded.</summary>
    public static CachedAnswer? Decode(ReadOnlyMemory<byte> stored, out byte codec)
    {
        codec = Uncompressed;
        var span = stored.Span;
        const int fixedLength = 3 + 1 + 1 + 8 + 4 + 4 + 16;
        if (span.Length < fixedLength + 8 || !span[..3].SequenceEqual(Magic) || span[3] != Version)
        {
            return null;
        }

        codec = span[4];
        var offset = 5;
        var created = BinaryPrimitives.ReadInt64LittleEndian(span[offset..]);
        offset += 8;
        var prompt = BinaryPrimitives.ReadInt32LittleEndian(span[offset..]);
        offset += 4;
        var completion = BinaryPrimitives.ReadInt32LittleEndian(span[offset..]);
        offset += 4;
        Span<int> bits = stackalloc int[4];
        for (var i = 0; i < 4; i++)
        {
            bits[i] = BinaryPrimitives.ReadInt32LittleEndian(span[(offset + (i * 4))..]);
        }

        offset += 16;
        decimal cost;
        try
        {
            cost = new decimal(bits);
        }
        catch (ArgumentException)
        {
            return null;
        }

        if (!TryReadString(span, ref offset, out var model) || !TryReadString(span, ref offset, out var provider))
        {
            return null;
        }

        return new CachedAnswer
        {
            Body = stored[offset..],
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(created),
            PromptTokens = prompt,
            CompletionTokens = completion,
            CostUsd = cost,
            Model = model,
            Provider = provider,
        };
    }

    private static int WriteBytes(Span<byte> span, int offset, byte[] bytes)
    {
        BinaryPrimitives.WriteInt32LittleEndian(span[offset..], bytes.Length);
        bytes.CopyTo(span[(offset + 4)..]);
        return offset + 4 + bytes.Length;
    }

    private static bool TryReadString(ReadOnlySpan<byte> span, ref int offset, out string value)
    {
        value = string.Empty;
        if (span.Length < offset + 4)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(span[offset..]);
        if (length < 0 || span.Length < offset + 4 + length)
        {
            return false;
        }

        value = Encoding.UTF8.GetString(span.Slice(offset + 4, length));
        offset += 4 + length;
        return true;
    }
}
