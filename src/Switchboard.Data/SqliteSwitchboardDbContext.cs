using Microsoft.EntityFrameworkCore;

namespace Switchboard.Data;

/// <summary>The model on SQLite, with its own migrations (<c>Migrations/Sqlite</c>).</summary>
public sealed class SqliteSwitchboardDbContext(DbContextOptions<SqliteSwitchboardDbContext> options) : SwitchboardDbContext(options)
{
    /// <summary>
    /// No index on request ids here: SQLite inserts in the gateway's own process, and that index cost more CPU per
    /// row than any other (docs/benchmarks.md). <c>usage show REQUEST_ID</c> reads newest first through the
    /// primary key's index instead: instant for recent requests, a scan of the table for old ones.
    /// </summary>
    protected override bool IndexesRequestIds => false;

    /// <summary>
    /// No index on arrival times either: ids are version 7 GUIDs of the arrival time, stored as upper-case text, so the
    /// primary key's index is in time order and ranged queries search it (<c>UsageQueries</c>); one B-tree fewer to
    /// insert into per row.
    /// </summary>
    protected override bool IndexesArrivalTimes => false;
}
