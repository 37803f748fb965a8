using Switchboard.Accounting;

namespace Switchboard.Data.Usage;

/// <summary>
/// Turns a range of arrival times into a range of usage ids, for SQLite, where the primary key's index is the only
/// time-ordered index of every row. An id is a version 7 GUID whose first 48 bits are a millisecond since 1970 and
/// which SQLite keeps as upper-case text, so the text's first 13 characters (<c>XXXXXXXX-XXXX</c>) are that
/// millisecond in hex and ids sort by it.
/// </summary>
internal static class UsageIdRange
{
    /// <summary>
    /// How far past the end of a range the id range reaches. Ids are made from the arrival time
    /// (<c>UsageRecord.Id</c>), so a row's id time is its <c>occurred_at</c> to the millisecond; rows written before
    /// migration <c>SqliteUsageRangesByPrimaryKey</c> carry the time their request ended instead (arrival plus the
    /// request's latency, never earlier). A ranged query finds them exactly when their request took less than this
    /// (requests time out after <c>routing.timeout</c>, 10 minutes by default); the <c>occurred_at</c> condition
    /// keeps the answer exact, the slack only costs reading up to an hour of rows past a range that ends in the past.
    /// </summary>
    public static readonly TimeSpan LegacySlack = TimeSpan.FromHours(1);

    /// <summary>Lower bound for rows that arrived at or after <paramref name="from"/>; null when that is every row.</summary>
    public static string? From(DateTimeOffset from) => from.ToUnixTimeMilliseconds() <= 0 ? null : Floor(from.ToUnixTimeMilliseconds());

    /// <summary>Upper bound (exclusive) for rows that arrived before <paramref name="to"/>; null when that is every row.</summary>
    public static string? Before(DateTimeOffset to) =>
        to >= DateTimeOffset.MaxValue - LegacySlack ? null : Floor(Math.Max((to + LegacySlack).ToUnixTimeMilliseconds(), 0));

    /// <summary>The text every id of millisecond <paramref name="milliseconds"/> or later sorts at or after, and every earlier one before.</summary>
    public static string Floor(long milliseconds)
    {
        var ms = Math.Clamp(milliseconds, 0, TimeOrderedIds.MaxMilliseconds);
        return string.Create(13, ms, static (span, value) =>
        {
            ((uint)(value >> 16)).TryFormat(span[..8], out _, "X8");
            span[8] = '-';
            ((ushort)value).TryFormat(span[9..], out _, "X4");
        });
    }
}
