using System.Buffers;

namespace Switchboard.Hosting.Http;

/// <summary>
/// A request body read into an array that may be rented from <see cref="ArrayPool{T}.Shared"/>: its first
/// <see cref="Length"/> bytes are the body. The reader hands it over; whoever holds it gives it back with
/// <see cref="Return"/> once nothing reads the bytes any more (not before the request's answer is written).
/// </summary>
/// <param name="Array">The array; longer than the body when rented.</param>
/// <param name="Length">The body's length in bytes.</param>
/// <param name="IsRented">Whether <see cref="Array"/> goes back to the shared pool on <see cref="Return"/>.</param>
public readonly record struct RentedBody(byte[] Array, int Length, bool IsRented)
{
    /// <summary>The body's bytes.</summary>
    public ReadOnlyMemory<byte> Memory => Array.AsMemory(0, Length);

    /// <summary>The body's bytes in an array of its own, of exactly the body's length.</summary>
    public byte[] ToArray() => !IsRented && Array.Length == Length ? Array : Array.AsSpan(0, Length).ToArray();

    /// <summary>Gives a rented array back to the pool; nothing may read <see cref="Array"/> afterwards.</summary>
    public void Return()
    {
        if (IsRented)
        {
            ArrayPool<byte>.Shared.Return(Array);
        }
    }
}
