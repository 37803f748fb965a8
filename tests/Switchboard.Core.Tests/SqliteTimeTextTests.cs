using System.Globalization;
using System.Text;
using Switchboard.Text;

namespace Switchboard.Core.Tests;

public sealed class SqliteTimeTextTests
{
    public static TheoryData<DateTime> Edges => new()
    {
        DateTime.MinValue,
        DateTime.MaxValue,
        new DateTime(2026, 12, 5, 0, 0, 0, DateTimeKind.Utc),
        new DateTime(2026, 12, 5, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_999_999),
        new DateTime(2026, 2, 28, 9, 5, 7, DateTimeKind.Utc).AddTicks(1),
        new DateTime(2026, 2, 28, 9, 5, 7, DateTimeKind.Utc).AddTicks(1_000_000),
        new DateTime(1, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(10),
    };

    [Theory]
    [MemberData(nameof(Edges))]
    public void WritesWhatTheCustomFormatWrites(DateTime time) =>
        Assert.Equal(time.ToString(SqliteTimeText.Format, CultureInfo.InvariantCulture), SqliteTimeText.ToText(time));

    [Fact]
    public void WritesWhatTheCustomFormatWritesForAnyTime()
    {
        var random = new Random(20261205);
        Span<byte> text = stackalloc byte[SqliteTimeText.MaxLength];
        for (var i = 0; i < 100_000; i++)
        {
            var time = new DateTime(random.NextInt64(DateTime.MaxValue.Ticks + 1), DateTimeKind.Utc);
            // A fraction with trailing zeros (whole milliseconds, as most clocks give) as often as any other.
            time = i % 2 == 0 ? time : time.AddTicks(-(time.Ticks % 10_000));
            var expected = time.ToString(SqliteTimeText.Format, CultureInfo.InvariantCulture);
            Assert.Equal(expected, Encoding.ASCII.GetString(text[..SqliteTimeText.Write(time, text)]));
        }
    }
}
