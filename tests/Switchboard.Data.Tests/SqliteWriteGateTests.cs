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

    [Fact]
    public async Task TheLogStartsOverAfterEachBackgroundCheckpoint()
    {
        var path = Path.Combine(Folder.FullName, "restart.db");
        var gate = SqliteWriteGate.For($"Data Source={path}");
        await using var connection = new SqliteConnection(gate.ConnectionString);
        await connection.OpenAsync(Ct);
        SqliteWriteGate.PrepareWriter(connection);
        await using (var setup = connection.CreateCommand())
        {
            setup.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE rows (id INTEGER PRIMARY KEY, text TEXT NOT NULL);";
            await setup.ExecuteNonQueryAsync(Ct);
        }

        await using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO rows (text) VALUES ($text)";
        insert.Parameters.AddWithValue("$text", new string('x', 3000));
        var sizes = new List<long>();
        for (var cycle = 0; cycle < 4; cycle++)
        {
            for (var i = 0; i < SqliteWriteGate.CheckpointEvery; i++)
            {
                using var turn = await gate.EnterAsync(Ct);
                await insert.ExecuteNonQueryAsync(Ct);
            }

            await gate.Checkpointing;
            sizes.Add(new FileInfo(path + "-wal").Length);
        }

        // Without the restart the log grows by a cycle's pages every cycle; with it, it stays the size of one cycle.
        Assert.True(sizes[3] < sizes[0] * 2, $"WAL sizes after each cycle: {string.Join(", ", sizes)}");
    }

    private static async Task<long> AutocheckpointAsync(SqliteConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_autocheckpoint;";
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }
}
