using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Switchboard.Data;

namespace Switchboard.Conversations.Storage;

/// <summary>
/// Where conversations are kept: the gateway's database as <c>database.provider</c> and <c>database.connection</c>
/// say (SQLite by default, PostgreSQL for replicas). Context options are built once; a context per unit of work.
/// </summary>
public sealed class ConversationDatabase
{
    /// <summary>The default of <c>database.connection</c>, as the rest of the gateway has it.</summary>
    public const string DefaultConnection = "Data Source=.switchboard/switchboard.db";

    private readonly Func<ConversationsDbContext> _create;

    /// <param name="provider"><c>sqlite</c> (default) or <c>postgres</c> (<c>postgresql</c>).</param>
    /// <param name="connection">An ADO.NET connection string for the provider.</param>
    public ConversationDatabase(string? provider, string? connection)
    {
        Connection = string.IsNullOrWhiteSpace(connection) ? DefaultConnection : connection;
        IsPostgres = string.Equals(provider, "postgres", StringComparison.OrdinalIgnoreCase) || string.Equals(provider, "postgresql", StringComparison.OrdinalIgnoreCase);
        if (IsPostgres)
        {
            var options = new DbContextOptionsBuilder<PostgresConversationsDbContext>()
                .UseNpgsql(Connection, o => o.MigrationsHistoryTable(ConversationsDbContext.HistoryTable))
                .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
                .Options;
            _create = () => new PostgresConversationsDbContext(options);
        }
        else
        {
            var options = new DbContextOptionsBuilder<SqliteConversationsDbContext>()
                .UseSqlite(Connection, o => o.MigrationsHistoryTable(ConversationsDbContext.HistoryTable))
                .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
                .AddInterceptors(SqliteSynchronousInterceptor.Instance)
                .Options;
            _create = () => new SqliteConversationsDbContext(options);
        }
    }

    /// <summary>From the gateway configuration's <c>database:</c> section.</summary>
    public static ConversationDatabase FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new ConversationDatabase(configuration["database:provider"], configuration["database:connection"]);
    }

    public string Connection { get; }

    public bool IsPostgres { get; }

    /// <summary>A new context; dispose it after the unit of work.</summary>
    public ConversationsDbContext CreateContext() => _create();

    /// <summary>Creates the database (and for SQLite its folder) if needed and applies pending migrations.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        if (!IsPostgres)
        {
            // As the gateway's database does: a folder for a file, none for memory or a file: URI.
            if (SqliteFile.PathOf(Connection) is { } file && Path.GetDirectoryName(file) is { } folder)
            {
                Directory.CreateDirectory(folder);
            }
        }

        await using var context = CreateContext();
        await context.Database.MigrateAsync(cancellationToken);
        if (!IsPostgres)
        {
            // Readers never wait for a writer (nor the usage writer for us).
            await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    /// <summary>Where the data is, without secrets.</summary>
    public string Describe()
    {
        if (IsPostgres)
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(Connection);
            return $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}";
        }

        return $"SQLite {SqliteFile.PathOf(Connection) ?? new SqliteConnectionStringBuilder(Connection).DataSource}";
    }
}
