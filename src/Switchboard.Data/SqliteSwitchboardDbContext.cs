using Microsoft.EntityFrameworkCore;

namespace Switchboard.Data;

/// <summary>The model on SQLite, with its own migrations (<c>Migrations/Sqlite</c>).</summary>
public sealed class SqliteSwitchboardDbContext(DbContextOptions<SqliteSwitchboardDbContext> options) : SwitchboardDbContext(options)
{
    /// <summary>
    /// No index on request ids here: SQLite inserts in the gateway's own process, and that index cost more CPU per
    /// row than any other (docs/benchmarks.md). <c>usage show REQUEST_ID</c> reads newest first through the
    /// <c>occurred_at</c> index instead: instant for recent requests, a scan of the table for old ones.
    /// </summary>
    protected override bool IndexesRequestIds => false;
}
