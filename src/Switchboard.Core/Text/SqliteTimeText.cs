using System.Text;

namespace Switchboard.Text;

/// <summary>
/// A time as EF Core's SQLite provider stores it, <c>yyyy-MM-dd HH:mm:ss.FFFFFFF</c> (the fraction's trailing zeros
/// dropped, and the point with them when nothing is left), for rows written without EF Core that EF Core reads and
/// compares as text. Digits written one by one: the same text as <see cref="DateTime.ToString(string?)"/> with that
/// format, without parsing the custom format for every row of a usage batch.
/// </summary>
public static class SqliteTimeText
{
    /// <summary>The format, for whoever needs to parse it back.</summary>
    public const string Format = "yyyy-MM-dd HH:mm:ss.FFFFFFF";

    /// <summary>The longest text: 27 bytes.</summary>
    public const int MaxLength = 27;

    /// <summary>Writes <paramref name="time"/> into <paramref name="destination"/> (at least <see cref="MaxLength"/> bytes) as ASCII; returns the length.</summary>
    public static int Write(DateTime time, Span<byte> destination)
    {
        if (destination.Length < MaxLength)
        {
            throw new ArgumentException($"At least {MaxLength} bytes are needed.", nameof(destination));
        }

        time.Deconstruct(out int year, out int month, out int day);
        var ofDay = time.Ticks % TimeSpan.TicksPerDay;
        var seconds = (int)(ofDay / TimeSpan.TicksPerSecond);
        var fraction = (int)(ofDay % TimeSpan.TicksPerSecond);
        Digits(destination[..4], year);
        destination[4] = (byte)'-';
        Digits(destination.Slice(5, 2), month);
        destination[7] = (byte)'-';
        Digits(destination.Slice(8, 2), day);
        destination[10] = (byte)' ';
        Digits(destination.Slice(11, 2), seconds / 3600);
        destination[13] = (byte)':';
        Digits(destination.Slice(14, 2), seconds / 60 % 60);
        destination[16] = (byte)':';
        Digits(destination.Slice(17, 2), seconds % 60);
        if (fraction == 0)
        {
            return 19;
        }

        destination[19] = (byte)'.';
        var length = 27;
        while (fraction % 10 == 0)
        {
            fraction /= 10;
            length--;
        }

        Digits(destination[20..length], fraction);
        return length;
    }

    /// <summary>The same as a string.</summary>
    public static string ToText(DateTime time)
    {
        Span<byte> text = stackalloc byte[MaxLength];
        return Encoding.ASCII.GetString(text[..Write(time, text)]);
    }

    // Right-aligned, zero-padded to the span's length.
    private static void Digits(Span<byte> destination, int value)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }
}
