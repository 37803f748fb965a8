using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Switchboard.Data;

/// <summary>
/// One writer at a time per SQLite file in this process, and the file's WAL checkpoints off everyone's path.
/// </summary>
/// <remarks>
/// SQLite lets one connection write at a time. When a second one finds the file locked, Microsoft.Data.Sqlite sleeps
/// 150 ms before it tries again (SQLite's own busy handler sleeps in steps of 1 to 100 ms): the usage writer's batch
/// and a conversation's write meeting in the same millisecond made a 150 ms message. Writers that take this gate
/// queue behind each other instead, asynchronously and only as long as the other's transaction lasts.
/// Their connections also leave automatic checkpoints off (<c>wal_autocheckpoint=0</c>): SQLite runs one inside the
/// commit that crosses 1,000 WAL pages, with two disk flushes (several ms here), inside the writer's transaction and
/// so under this gate. Instead, every <see cref="CheckpointEvery"/> commits through the gate start a PASSIVE
/// checkpoint on a connection of its own on a background task: it copies what it can without waiting for or blocking
/// a writer. Writers that do not take the gate (admin writes through EF Core) keep SQLite's defaults; in the rare
/// case one meets a gated writer it waits as before. Gates are per file (the lock SQLite takes is), so the registry is
/// process-wide.
/// </remarks>
public sealed class SqliteWriteGate
{
    /// <summary>Commits through the gate between background checkpoints: about 5 to 10 WAL pages each, so the WAL stays near SQLite's own 1,000-page mark.</summary>
    public const int CheckpointEvery = 128;

    private const string WriterPragmas = "PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;";

    private static readonly ConcurrentDictionary<string, SqliteWriteGate> Gates = new(StringComparer.Ordinal);

    // Native connections already set up; an entry goes with its connection.
    private static readonly ConditionalWeakTable<sqlite3, object> Prepared = new();
    private static readonly object Marker = new();

    private readonly SemaphoreSlim _semaphore = new(1, 1);
    private readonly string _checkpointConnection;
    private int _commits;
    private int _checkpointing;

    private SqliteWriteGate(string connectionString)
    {
        // A pool of the gated writers' own (Pooling named explicitly makes another pool key than the plain string's),
        // so the PRAGMAs above never reach connections of writers that do not checkpoint for themselves through the gate.
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true };
        ConnectionString = builder.ToString();
        builder.Pooling = false;
        _checkpointConnection = builder.ToString();
    }

    /// <summary>The connection string gated writers (and readers who want no EF Core) open their connections with.</summary>
    public string ConnectionString { get; }

    /// <summary>The gate of the file <paramref name="connectionString"/> names (a shared one per file in this process).</summary>
    public static SqliteWriteGate For(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        var key = string.IsNullOrEmpty(dataSource) || dataSource == ":memory:" || dataSource.StartsWith("file:", StringComparison.Ordinal)
            ? connectionString
            : Path.GetFullPath(dataSource);
        return Gates.GetOrAdd(key, static (_, cs) => new SqliteWriteGate(cs), connectionString);
    }

    /// <summary>
    /// Sets a gated writer's connection up, once per native connection (the pool hands the same one out again): no
    /// flush per commit (WAL), no automatic checkpoint, SQLite's own short busy wait for writers of other processes,
    /// foreign keys enforced as EF Core's connections have them.
    /// </summary>
    public static void PrepareWriter(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var handle = connection.Handle!;
        if (Prepared.TryGetValue(handle, out _))
        {
            return;
        }

        SqliteException.ThrowExceptionForRC(raw.sqlite3_exec(handle, WriterPragmas), handle);
        Prepared.AddOrUpdate(handle, Marker);
    }

    /// <summary>Waits for the file's write turn; dispose the result after the commit (or rollback).</summary>
    public async ValueTask<Turn> EnterAsync(CancellationToken cancellationToken)
    {
        await _semaphore.WaitAsync(cancellationToken);
        return new Turn(this);
    }

    private void Leave()
    {
        _semaphore.Release();
        if (Interlocked.Increment(ref _commits) >= CheckpointEvery && Interlocked.CompareExchange(ref _checkpointing, 1, 0) == 0)
        {
            Interlocked.Exchange(ref _commits, 0);
            _ = Task.Run(Checkpoint);
        }
    }

    private void Checkpoint()
    {
        try
        {
            using var connection = new SqliteConnection(_checkpointConnection);
            connection.Open();
            // PASSIVE: copies the frames no reader still needs, takes no write lock, waits for nobody; BUSY (another
            // checkpoint running) is fine, the next one catches up.
            raw.sqlite3_wal_checkpoint_v2(connection.Handle, null, raw.SQLITE_CHECKPOINT_PASSIVE, out _, out _);
        }
#pragma warning disable CA1031 // A background checkpoint that fails (the file went away) is retried by the next; nobody is there to tell.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            Volatile.Write(ref _checkpointing, 0);
        }
    }

    /// <summary>A writer's turn; disposing it lets the next writer in.</summary>
    public readonly struct Turn(SqliteWriteGate gate) : IDisposable
    {
        public void Dispose() => gate?.Leave();
    }
}
