using Npgsql;

namespace Switchboard.Testing;

/// <summary>
/// The PostgreSQL that scripts/test-services.sh started (<c>SWITCHBOARD_TEST_POSTGRES</c>). Each caller gets a
/// database of its own, so tests never see each other's rows.
/// </summary>
public static class TestPostgres
{
    public const string Variable = "SWITCHBOARD_TEST_POSTGRES";

    /// <summary>The server's connection string, or null when the tests run without PostgreSQL.</summary>
    public static string? ServerConnection => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    /// <summary>Why a PostgreSQL test is skipped (for <c>Assert.SkipWhen</c>).</summary>
    public static string SkipReason => $"{Variable} is not set; run the tests through test.sh (or source scripts/test-services.sh) to get PostgreSQL.";

    /// <summary>Creates an empty database and returns a connection string to it.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix, CancellationToken cancellationToken)
    {
        var server = ServerConnection ?? throw new InvalidOperationException(SkipReason);
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)].ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    /// <summary>The same database reached through <paramref name="port"/> on loopback (a <see cref="CuttableTcpLink"/>).</summary>
    public static string ThroughPort(string connection, int port, int timeoutSeconds = 2) =>
        new NpgsqlConnectionStringBuilder(connection) { Host = "127.0.0.1", Port = port, Timeout = timeoutSeconds, Pooling = true }.ConnectionString;

    /// <summary>The port the server listens on.</summary>
    public static int ServerPort(string connection) => new NpgsqlConnectionStringBuilder(connection).Port;
}
