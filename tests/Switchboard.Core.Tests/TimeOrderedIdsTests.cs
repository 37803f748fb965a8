using System.Globalization;
using Switchboard.Accounting;

namespace Switchboard.Core.Tests;

public sealed class TimeOrderedIdsTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 5, 10, 0, 0, 123, TimeSpan.Zero);

    [Fact]
    public void AnIdIsAVersion7GuidOfTheMillisecondWithTheRfcVariant()
    {
        var id = TimeOrderedIds.NewVersion7(At.AddTicks(4321));

        Assert.Equal(7, id.Version);
        Assert.Equal(0b10, id.Variant >> 2);
        Assert.Equal(At.ToUnixTimeMilliseconds().ToString("x12", CultureInfo.InvariantCulture), id.ToString("N")[..12]);
        // The same layout as the runtime's own version 7 GUIDs: the text's first 13 characters are the millisecond.
        Assert.Equal(Guid.CreateVersion7(At).ToString()[..13], id.ToString()[..13]);
    }

    [Fact]
    public void IdsOfOneMillisecondDifferAndLaterMillisecondsSortAfter()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => TimeOrderedIds.NewVersion7(At)).ToList();
        var later = TimeOrderedIds.NewVersion7(At.AddMilliseconds(1)).ToString().ToUpperInvariant();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.True(string.CompareOrdinal(id.ToString().ToUpperInvariant(), later) < 0));
    }

    [Fact]
    public void TimesBefore1970AreClampedAndTheLastOneIsHeld()
    {
        Assert.Equal("000000000000", TimeOrderedIds.NewVersion7(DateTimeOffset.MinValue).ToString("N")[..12]);
        Assert.Equal(DateTimeOffset.MaxValue.ToUnixTimeMilliseconds().ToString("x12", CultureInfo.InvariantCulture), TimeOrderedIds.NewVersion7(DateTimeOffset.MaxValue).ToString("N")[..12]);
    }
}
