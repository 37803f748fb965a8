using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Switchboard.Data;

/// <summary>
/// Opens contexts on the configured database (SQLite or PostgreSQL) and brings its schema up to date. The
/// context options are built once; a context per unit of work is cheap after the first.
/// </summary>
public sealed class SwitchboardDatabase
{
    /// <summary>The page size of the SQLite files this creates.</summary>
    public const int SqlitePageSize = 16384;

    private readonly Func<SwitchboardDbContext> _create;

    public SwitchboardDatabase(DatabaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        if (DatabaseProviders.IsPostgres(options.Provider))
        {
            IsPostgres = true;
            var built = new DbContextOptionsBuilder<PostgresSwitchboardDbContext>()
                .UseNpgsql(options.Connection)
                .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
                .Options;
            _create = () => new PostgresSwitchboardDbContext(built);
        }
        else
        {
            var built = new DbContextOptionsBuilder<SqliteSwitchboardDbContext>()
                .UseSqlite(options.Connection)
                .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
                .Options;
            _create = () => new SqliteSwitchboardDbContext(built);
        }
    }

    public DatabaseOptions Options { get; }

    public bool IsPostgres { get; }

    /// <summary>A new context; dispose it after the unit of work.</summary>
    public SwitchboardDbContext CreateContext() => _create();

    /// <summary>
    /// Creates the database (and for SQLite its folder) if needed and applies pending migrations. EF Core takes a
    /// database-wide lock for this, so replicas starting together do not race.
    /// </summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        if (!IsPostgres)
        {
            if (SqliteFile.PathOf(Options.Connection) is { } file && Path.GetDirectoryName(file) is { } folder)
            {
                Directory.CreateDirectory(folder);
                if (!File.Exists(file) || new FileInfo(file).Length == 0)
                {
                    await CreateWithLargePagesAsync(cancellationToken);
                }
            }
        }

        await using var context = CreateContext();
        await context.Database.MigrateAsync(cancellationToken);
        if (!IsPostgres)
        {
            // Readers (key lookups, admin queries) then never wait for the usage writer, nor it for them.
            await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    /// <summary>
    /// Starts a new SQLite file with 16 KB pages instead of SQLite's 4 KB: the usage writer's CPU per row is ≈ 0.6 µs
    /// lower (fewer pages to find, checksum, write to the log and copy back at checkpoints per row; docs/benchmarks.md).
    /// A page size is fixed once the file is in WAL mode, so this only happens while the file is empty.
    /// </summary>
    private async Task CreateWithLargePagesAsync(CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(Options.Connection);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA page_size={SqlitePageSize}; VACUUM;";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Drops pooled connections after a failure: once the server went away every idle connection in the pool is
    /// dead, and handing them out one by one would fail that many more writes after it is back.
    /// </summary>
    public void ResetConnections()
    {
        if (IsPostgres)
        {
            using var connection = new Npgsql.NpgsqlConnection(Options.Connection);
            Npgsql.NpgsqlConnection.ClearPool(connection);
        }
        else
        {
            using var connection = new SqliteConnection(Options.Connection);
            SqliteConnection.ClearPool(connection);
            using var writer = new SqliteConnection(SqliteWriteGate.For(Options.Connection).ConnectionString);
            SqliteConnection.ClearPool(writer);
        }
    }

    /// <summary>A one-line description of where the data is, without secrets (no password).</summary>
    public string Describe()
    {
        if (IsPostgres)
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(Options.Connection);
            return $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}";
        }

        return $"SQLite {Path.GetFullPath(new SqliteConnectionStringBuilder(Options.Connection).DataSource)}";
    }
}
