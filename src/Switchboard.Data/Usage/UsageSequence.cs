using System.Buffers.Binary;

namespace Switchboard.Data.Usage;

/// <summary>
/// The key of a usage row on SQLite: an integer that is SQLite's own row id, so that a row is one entry in one
/// B-tree (a text primary key is a second B-tree beside the table, ≈ 0.5 µs of CPU per row, docs/benchmarks.md). Its
/// high bits are the millisecond of the row's id (a version 7 GUID of the arrival time, <c>UsageRecord.Id</c>), its
/// low <see cref="CounterBits"/> a counter of the process that wrote it; so the table is in arrival order, and ranged
/// queries and replays search it by millisecond. The GUID stays in <c>id</c> (unindexed): it is what a spilled record
/// is recognised by.
/// </summary>
internal static class UsageSequence
{
    /// <summary>The shadow property (column <c>seq</c>) that keys <c>usage</c> on SQLite.</summary>
    public const string Property = "Seq";

    /// <summary>Rows one process can key within one millisecond before they share a value and have to look further.</summary>
    public const int CounterBits = 20;

    /// <summary>The last millisecond since 1970 a key holds (the year 2109); later ones share it.</summary>
    public const long MaxMilliseconds = (1L << (63 - CounterBits)) - 1;

    /// <summary>Keys tried for one row before giving up: every key of its millisecond.</summary>
    public const int MaxTries = 1 << CounterBits;

    private const long CounterMask = (1L << CounterBits) - 1;

    /// <summary>
    /// How far past the end of a range the key range reaches. Rows written before migration
    /// <c>SqliteUsageRangesByPrimaryKey</c> have ids (and so keys) of the time their request ended instead (arrival
    /// plus the request's latency, never earlier). A ranged query finds them exactly when their request took less than
    /// this (requests time out after <c>routing.timeout</c>, 10 minutes by default); the <c>occurred_at</c> condition
    /// keeps the answer exact, the slack only costs reading up to an hour of rows past a range that ends in the past.
    /// </summary>
    public static readonly TimeSpan LegacySlack = TimeSpan.FromHours(1);

    /// <summary>The millisecond a version 7 GUID was made for (its first 48 bits).</summary>
    public static long MillisecondOf(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        return (long)(BinaryPrimitives.ReadUInt64BigEndian(bytes) >> 16);
    }

    /// <summary>The smallest key of millisecond <paramref name="milliseconds"/>.</summary>
    public static long First(long milliseconds) => Math.Clamp(milliseconds, 0, MaxMilliseconds) << CounterBits;

    /// <summary>The largest key of millisecond <paramref name="milliseconds"/>.</summary>
    public static long Last(long milliseconds) => First(milliseconds) | CounterMask;

    /// <summary>The key for the row with id <paramref name="id"/>, as the <paramref name="counter"/>-th of its process.</summary>
    public static long For(Guid id, long counter) => First(MillisecondOf(id)) | (counter & CounterMask);

    /// <summary>The next key of the same millisecond, for a key another row already has (wraps within the millisecond).</summary>
    public static long Next(long key) => (key & ~CounterMask) | ((key + 1) & CounterMask);

    /// <summary>Lower bound for rows that arrived at or after <paramref name="from"/>; null when that is every row.</summary>
    public static long? From(DateTimeOffset from) => from.ToUnixTimeMilliseconds() <= 0 ? null : First(from.ToUnixTimeMilliseconds());

    /// <summary>Upper bound (exclusive) for rows that arrived before <paramref name="to"/>; null when that is every row.</summary>
    public static long? Before(DateTimeOffset to) =>
        to >= DateTimeOffset.MaxValue - LegacySlack ? null : First(Math.Max((to + LegacySlack).ToUnixTimeMilliseconds(), 0));
}
