using Microsoft.Data.Sqlite;

namespace Switchboard.Data.Tests;

public sealed class SqliteWriteGateTests : DatabaseTest
{
    [Fact]
    public async Task WritersOfOneFileTakeTurns()
    {
        var path = Path.Combine(Folder.FullName, "gate.db");
        var gate = SqliteWriteGate.For($"Data Source={path}");

        var first = await gate.EnterAsync(Ct);
        var second = gate.EnterAsync(Ct).AsTask();
        Assert.False(second.IsCompleted);
        first.Dispose();
        (await second).Dispose();
    }

    [Fact]
    public void OneFileHasOneGateWhateverTheConnectionStringSays()
    {
        var path = Path.Combine(Folder.FullName, "same.db");
        var other = Path.Combine(Folder.FullName, "other.db");

        Assert.Same(SqliteWriteGate.For($"Data Source={path}"), SqliteWriteGate.For($"Data Source={Path.GetRelativePath(Environment.CurrentDirectory, path)};Cache=Private"));
        Assert.NotSame(SqliteWriteGate.For($"Data Source={path}"), SqliteWriteGate.For($"Data Source={other}"));
    }

    [Fact]
    public async Task GatedWritersCheckpointInTheBackgroundNotInTheirCommits()
    {
        var path = Path.Combine(Folder.FullName, "wal.db");
        var gate = SqliteWriteGate.For($"Data Source={path}");
        await using var connection = new SqliteConnection(gate.ConnectionString);
        await connection.OpenAsync(Ct);
        SqliteWriteGate.PrepareWriter(connection);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "PRAGMA journal_mode=WAL;";
            await command.ExecuteNonQueryAsync(Ct);
        }

        Assert.Equal(0L, await AutocheckpointAsync(connection));

        // EF Core's connections (the plain connection string) keep SQLite's own checkpoints.
        await using var plain = new SqliteConnection($"Data Source={path}");
        await plain.OpenAsync(Ct);
        Assert.Equal(1000L, await AutocheckpointAsync(plain));
    }

    private static async Task<long> AutocheckpointAsync(SqliteConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_autocheckpoint;";
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }
}
