using System.Buffers.Binary;

namespace Switchboard.Accounting;

/// <summary>
/// Version 7 GUIDs (RFC 9562: a Unix millisecond in the first 48 bits, then 74 random bits) whose random bits come
/// from <see cref="Random.Shared"/>. <see cref="Guid.CreateVersion7(DateTimeOffset)"/> draws them from the operating
/// system's cryptographic source, which on Linux is a system call for every GUID (a <c>read</c> of
/// <c>/dev/urandom</c>, ≈ 1 µs of CPU on every request that records its usage, docs/benchmarks.md). A usage id is a
/// key, not a secret: it needs to be unique, and 74 random bits within one millisecond are.
/// </summary>
public static class TimeOrderedIds
{
    /// <summary>The last millisecond since 1970 the format's 48 bits hold.</summary>
    public const long MaxMilliseconds = (1L << 48) - 1;

    /// <summary>A version 7 GUID of <paramref name="timestamp"/>'s millisecond (clamped to what the format holds).</summary>
    public static Guid NewVersion7(DateTimeOffset timestamp)
    {
        var milliseconds = Math.Clamp(timestamp.ToUnixTimeMilliseconds(), 0, MaxMilliseconds);
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes[6..]);
        // Big-endian, as the RFC lays the fields out: bytes 0-5 the millisecond, then the version and variant bits.
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)(milliseconds >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(bytes[2..], (uint)milliseconds);
        bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F));
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true);
    }
}
