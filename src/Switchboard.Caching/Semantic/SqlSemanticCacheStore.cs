using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Switchboard.Caching.Semantic;

/// <summary>
/// Semantic entries in the gateway's database (SQLite or PostgreSQL, <c>database:</c>), in a table of their
/// own, <c>switchboard_semantic_cache</c>, created on first use. Plain ADO.NET: one table, five statements.
/// Replicas sharing a PostgreSQL database share the entries (each picks up the others' on its sync).
/// </summary>
public sealed class SqlSemanticCacheStore : ISemanticCacheStore
{
    private const string Table = "switchboard_semantic_cache";
    private readonly Func<DbConnection> _connect;
    private readonly bool _postgres;
    private readonly SemaphoreSlim _createLock = new(1, 1);
    private volatile bool _created;

    private SqlSemanticCacheStore(Func<DbConnection> connect, bool postgres)
    {
        _connect = connect;
        _postgres = postgres;
    }

    public string Name => _postgres ? "postgres" : "sqlite";

    /// <summary>A store in a SQLite file (its folder is created when missing).</summary>
    public static SqlSemanticCacheStore Sqlite(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var folder = builder.Mode == SqliteOpenMode.Memory ? null : Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        // The folder is made on first use, not here: building a host (a configuration check) leaves no trace.
        return new SqlSemanticCacheStore(
            () =>
            {
                if (!string.IsNullOrEmpty(folder))
                {
                    Directory.CreateDirectory(folder);
                }

                return new SqliteConnection(connectionString);
            },
            postgres: false);
    }

    /// <summary>A store in PostgreSQL.</summary>
    public static SqlSemanticCacheStore Postgres(string connectionString) =>
        new(() => new NpgsqlConnection(connectionString), postgres: true);

    public async ValueTask AddAsync(SemanticEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO {Table} (id, namespace, model, scope, vector, text, created_at, expires_at, answer) VALUES (@id, @ns, @model, @scope, @vector, @text, @created, @expires, @answer)";
        Add(command, "@id", entry.Id);
        Add(command, "@ns", entry.Namespace);
        Add(command, "@model", entry.Model);
        Add(command, "@scope", entry.Scope);
        Add(command, "@vector", MemoryMarshal.AsBytes(entry.Vector.AsSpan()).ToArray());
        Add(command, "@text", entry.Text);
        Add(command, "@created", entry.CreatedAt.ToUnixTimeMilliseconds());
        Add(command, "@expires", entry.ExpiresAt.ToUnixTimeMilliseconds());
        Add(command, "@answer", entry.Answer.ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask<ReadOnlyMemory<byte>?> GetAnswerAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT answer FROM {Table} WHERE id = @id";
        Add(command, "@id", id);
        return await command.ExecuteScalarAsync(cancellationToken) is byte[] answer ? answer : null;
    }

    public async IAsyncEnumerable<SemanticEntry> LoadAsync(DateTimeOffset since, DateTimeOffset now, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id, namespace, model, scope, vector, text, created_at, expires_at FROM {Table} WHERE created_at >= @since AND expires_at > @now ORDER BY id";
        Add(command, "@since", since == DateTimeOffset.MinValue ? long.MinValue : since.ToUnixTimeMilliseconds());
        Add(command, "@now", now.ToUnixTimeMilliseconds());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var vectorBytes = (byte[])reader.GetValue(4);
            yield return new SemanticEntry
            {
                Id = reader.GetInt64(0),
                Namespace = reader.GetString(1),
                Model = reader.GetString(2),
                Scope = reader.GetString(3),
                Vector = MemoryMarshal.Cast<byte, float>(vectorBytes).ToArray(),
                Text = reader.GetString(5),
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
            };
        }
    }

    public async ValueTask RemoveAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken);
        foreach (var chunk in ids.Chunk(500))
        {
            await using var command = connection.CreateCommand();
            // Ids are numbers: written into the statement, no injection possible.
            command.CommandText = $"DELETE FROM {Table} WHERE id IN ({string.Join(',', chunk)})";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public async ValueTask<long> PurgeAsync(CachePurge purge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(purge);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"DELETE FROM {Table} WHERE (@ns IS NULL OR namespace = @ns) AND (@model IS NULL OR model = @model)";
        Add(command, "@ns", purge.Namespace);
        Add(command, "@model", purge.Model);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"DELETE FROM {Table} WHERE expires_at <= @now";
        Add(command, "@now", now.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = _connect();
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (!_created)
            {
                await CreateTableAsync(connection, cancellationToken);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task CreateTableAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await _createLock.WaitAsync(cancellationToken);
        try
        {
            if (_created)
            {
                return;
            }

            var blob = _postgres ? "BYTEA" : "BLOB";
            await using var command = connection.CreateCommand();
            command.CommandText = $"""
                CREATE TABLE IF NOT EXISTS {Table} (
                    id BIGINT PRIMARY KEY,
                    namespace TEXT NOT NULL,
                    model TEXT NOT NULL,
                    scope TEXT NOT NULL,
                    vector {blob} NOT NULL,
                    text TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    answer {blob} NOT NULL);
                CREATE INDEX IF NOT EXISTS ix_{Table}_created_at ON {Table} (created_at);
                """;
            await command.ExecuteNonQueryAsync(cancellationToken);
            _created = true;
        }
        finally
        {
            _createLock.Release();
        }
    }

    private void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        if (value is null && _postgres)
        {
            // PostgreSQL must know the type of "@ns IS NULL".
            ((NpgsqlParameter)parameter).NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
        }

        command.Parameters.Add(parameter);
    }
}
