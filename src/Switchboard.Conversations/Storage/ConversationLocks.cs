using System.IO.Hashing;
using System.Text;
using Npgsql;

namespace Switchboard.Conversations.Storage;

/// <summary>
/// One message at a time per conversation. In this process a semaphore per conversation queues them (bounded by
/// <c>queue_limit</c>, waiting at most <c>queue_timeout</c>); on PostgreSQL the holder also takes a session advisory
/// lock on a connection of its own, so replicas sharing the database queue behind each other too. The advisory lock
/// goes with the connection: a replica that dies releases it.
/// </summary>
public sealed class ConversationLocks
{
    // The first key of the two-key advisory lock, so conversation locks never meet anyone else's ("SBCV").
    private const int AdvisoryClass = 0x53424356;

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly string? _postgresConnection;
    private readonly int _queueLimit;
    private readonly TimeSpan _queueTimeout;
    private readonly TimeProvider _time;

    /// <param name="postgresConnection">The PostgreSQL connection string for cross-replica locks; null for this process only (SQLite).</param>
    public ConversationLocks(string? postgresConnection, int queueLimit, TimeSpan queueTimeout, TimeProvider timeProvider)
    {
        _postgresConnection = postgresConnection;
        _queueLimit = queueLimit;
        _queueTimeout = queueTimeout;
        _time = timeProvider;
    }

    /// <summary>
    /// Waits for the turn of <paramref name="conversation"/> (a <see cref="ConversationAddress.Key"/>: partition and
    /// id, so equal ids of two partitions never wait for each other). Null when the queue is full or the wait timed
    /// out (the caller answers 429); otherwise a handle to dispose when the message is done. Cancellation throws.
    /// </summary>
    public async ValueTask<IAsyncDisposable?> AcquireAsync(string conversation, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (_entries)
        {
            if (!_entries.TryGetValue(conversation, out entry!))
            {
                _entries[conversation] = entry = new Entry();
            }

            if (entry.Users > _queueLimit)
            {
                return null;
            }

            entry.Users++;
        }

        using var timeout = new CancellationTokenSource(_queueTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var local = false;
        try
        {
            await entry.Semaphore.WaitAsync(linked.Token);
            local = true;
            var connection = _postgresConnection is null ? null : await LockAcrossReplicasAsync(conversation, linked.Token);
            return new Handle(this, conversation, entry, connection);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Release(conversation, entry, local);
            return null;
        }
        catch
        {
            Release(conversation, entry, local);
            throw;
        }
    }

    /// <summary>The two advisory lock keys of a conversation id.</summary>
    internal static int AdvisoryKey(string conversation) => unchecked((int)XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(conversation)));

    private async Task<NpgsqlConnection> LockAcrossReplicasAsync(string conversation, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(_postgresConnection);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT pg_advisory_lock(@class, @key)", connection);
            command.Parameters.AddWithValue("class", AdvisoryClass);
            command.Parameters.AddWithValue("key", AdvisoryKey(conversation));
            await command.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            // A wait cut short may still have been granted on the server: never hand this connection back to the pool.
            NpgsqlConnection.ClearPool(connection);
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async ValueTask UnlockAcrossReplicasAsync(NpgsqlConnection connection, string conversation)
    {
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@class, @key)", connection);
            command.Parameters.AddWithValue("class", AdvisoryClass);
            command.Parameters.AddWithValue("key", AdvisoryKey(conversation));
            await command.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException)
        {
            // The connection is broken, and the server drops its locks with it; one still alive must not go back to
            // the pool holding the lock.
            NpgsqlConnection.ClearPool(connection);
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    private void Release(string conversation, Entry entry, bool heldLocal)
    {
        if (heldLocal)
        {
            entry.Semaphore.Release();
        }

        lock (_entries)
        {
            if (--entry.Users == 0)
            {
                _entries.Remove(conversation);
                entry.Semaphore.Dispose();
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        /// <summary>The holder and those waiting; guarded by the dictionary's lock.</summary>
        public int Users { get; set; }
    }

    private sealed class Handle(ConversationLocks owner, string conversation, Entry entry, NpgsqlConnection? connection) : IAsyncDisposable
    {
        private int _disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            if (connection is not null)
            {
                await UnlockAcrossReplicasAsync(connection, conversation);
            }

            owner.Release(conversation, entry, heldLocal: true);
        }
    }
}
