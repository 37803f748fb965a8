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
/// Their connections also leave automatic checkpoints off (<c>wal_autocheckpoint=0</c>): SQLite runs one in the
/// commit call that takes the WAL past 1,000 pages, copying it into the database with two disk flushes (several
/// ms here), on the committing request's thread and inside this gate. Instead, every <see cref="CheckpointEvery"/>
/// commits through the gate start a checkpoint on a connection of its own on a background task (see
/// <see cref="CheckpointAsync"/>). Writers that do not take the gate (admin writes through EF Core) keep SQLite's
/// defaults; in the rare case one meets a gated writer it waits as before. Gates are per file (the lock SQLite takes
/// is), so the registry is process-wide.
/// </remarks>
public sealed class SqliteWriteGate
{
    /// <summary>
    /// Commits through the gate between background checkpoints. A conversation message or a small usage batch adds
    /// about 5 WAL pages, so the WAL stays under ≈ 3,000 pages (12 MB); fewer would make writers wait for the last
    /// step of a checkpoint more often (docs/benchmarks.md).
    /// </summary>
    public const int CheckpointEvery = 512;

    private const long PagesPerCommit = 5;

    private const string WriterPragmas = "PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;";

    private static readonly ConcurrentDictionary<string, SqliteWriteGate> Gates = new(StringComparer.Ordinal);

    // Native connections already set up; an entry goes with its connection.
    private static readonly ConditionalWeakTable<sqlite3, object> Prepared = new();
    private static readonly object Marker = new();

    private readonly SemaphoreSlim _semaphore = new(1, 1);
    private readonly string _checkpointConnection;
    private long _committed;
    private long _checkpointedAt;
    private int _checkpointing;

    // The low bits of the usage keys this process gives the file's rows (UsageSequence): from a random start, so that
    // two processes writing to one file seldom pick the same key in the same millisecond (and look further when they do).
    private long _usageKeys = Random.Shared.NextInt64();

    private SqliteWriteGate(string connectionString)
    {
        // A pool of the gated writers' own (Pooling named explicitly makes another pool key than the plain string's),
        // so the PRAGMAs above never reach connections of writers that do not checkpoint for themselves through the gate.
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true };
        ConnectionString = builder.ToString();
        builder.Pooling = false;
        _checkpointConnection = builder.ToString();
    }

    /// <summary>The counter for the next usage row's key (<see cref="Usage.UsageSequence.For"/>).</summary>
    internal long NextUsageKey() => Interlocked.Increment(ref _usageKeys);

    /// <summary>Makes the next usage key the one after <paramref name="counter"/> (for tests of keys already taken).</summary>
    internal void ContinueUsageKeysAfter(long counter) => Interlocked.Exchange(ref _usageKeys, counter);

    /// <summary>The latest background checkpoint (for tests: it never fails).</summary>
    internal Task Checkpointing { get; private set; } = Task.CompletedTask;

    /// <summary>The connection string gated writers (and readers who want no EF Core) open their connections with.</summary>
    public string ConnectionString { get; }

    /// <summary>The gate of the file <paramref name="connectionString"/> names (a shared one per file in this process).</summary>
    public static SqliteWriteGate For(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var key = SqliteFile.PathOf(connectionString) ?? connectionString;
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

    /// <summary>
    /// Counts a large write by the WAL pages it added, as that many small commits (≈ 5 pages each) would count: the
    /// usage writer's batches of thousands of rows add hundreds of pages per commit, and counting commits alone would
    /// let the WAL grow to hundreds of megabytes between checkpoints. Call inside the turn, before disposing it.
    /// </summary>
    public void CountPages(long pages)
    {
        if (pages > PagesPerCommit)
        {
            Interlocked.Add(ref _committed, (pages / PagesPerCommit) - 1);
        }
    }

    /// <summary>Waits for the file's write turn; dispose the result after the commit (or rollback).</summary>
    public async ValueTask<Turn> EnterAsync(CancellationToken cancellationToken)
    {
        await _semaphore.WaitAsync(cancellationToken);
        return new Turn(this);
    }

    private void Leave()
    {
        var total = Interlocked.Increment(ref _committed);
        _semaphore.Release();
        if (total - Volatile.Read(ref _checkpointedAt) >= CheckpointEvery && Interlocked.CompareExchange(ref _checkpointing, 1, 0) == 0)
        {
            Volatile.Write(ref _checkpointedAt, total);
            Checkpointing = Task.Run(CheckpointAsync);
        }
    }

    /// <summary>
    /// Copies the WAL into the database so that the next writer starts the log from its beginning again. That restart
    /// happens only when a writer begins with every frame copied: a checkpoint that ran while others committed
    /// leaves the newest frames behind, and under steady writes the log grew by every message (measured: 120 MB
    /// in a minute). So: PASSIVE checkpoints outside the gate while writers keep committing (the bulk of the copying
    /// and both disk flushes), and if writes never paused, one last PASSIVE checkpoint inside the gate for the
    /// frames written meanwhile: writers then wait that long once (two flushes, a few ms) per
    /// <see cref="CheckpointEvery"/> commits instead of the commit that crosses SQLite's mark doing it all.
    /// </summary>
    private async Task CheckpointAsync()
    {
        try
        {
            using var connection = new SqliteConnection(_checkpointConnection);
            connection.Open();
            // A connection that has read nothing yet does not know the file is in WAL mode, and its checkpoint does
            // nothing: read the schema's version first.
            SqliteException.ThrowExceptionForRC(raw.sqlite3_exec(connection.Handle, "PRAGMA schema_version"), connection.Handle);
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var before = Volatile.Read(ref _committed);
                var idle = _semaphore.CurrentCount == 1;
                Passive(connection);
                if (idle && _semaphore.CurrentCount == 1 && Volatile.Read(ref _committed) == before)
                {
                    // Nobody committed during the copy: every frame is in the database.
                    return;
                }
            }

            await _semaphore.WaitAsync();
            try
            {
                Passive(connection);
            }
            finally
            {
                _semaphore.Release();
            }
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

    // PASSIVE: copies the frames no reader still needs, takes no write lock, waits for nobody; BUSY (another checkpoint
    // running) is fine, the next one catches up.
    private static void Passive(SqliteConnection connection)
    {
        raw.sqlite3_wal_checkpoint_v2(connection.Handle, "main", raw.SQLITE_CHECKPOINT_PASSIVE, out _, out _);
    }

    /// <summary>A writer's turn; disposing it lets the next writer in.</summary>
    public readonly struct Turn(SqliteWriteGate gate) : IDisposable
    {
        public void Dispose() => gate?.Leave();
    }
}
