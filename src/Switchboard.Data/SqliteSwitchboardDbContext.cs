using Microsoft.EntityFrameworkCore;
using Switchboard.Data.Usage;

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
    /// No index on arrival times either: the key is an integer of the arrival time (<c>seq</c>), so the table itself is
    /// in time order and ranged queries search it (<c>UsageQueries</c>).
    /// </summary>
    protected override bool IndexesArrivalTimes => false;

    /// <summary>
    /// Keyed by <c>seq</c>, SQLite's own row id, not by the GUID: a row is one entry in one B-tree, without a second
    /// one for a text primary key (<see cref="UsageSequence"/>).
    /// </summary>
    protected override bool KeysUsageBySequence => true;
}
