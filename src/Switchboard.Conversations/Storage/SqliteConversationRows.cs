using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Switchboard.Conversations.Dialogue;
using Switchboard.Data;
using Switchboard.Text;

namespace Switchboard.Conversations.Storage;

/// <summary>
/// The statements every message runs on SQLite (find the row, read turns when the cached copy is stale, append both
/// turns), in plain ADO.NET: through EF Core they cost ≈ 1 ms of CPU per message (a context, change tracking, SQL
/// generation and two <c>SaveChanges</c>), more than everything else a message does (docs/benchmarks.md). The write
/// goes through the file's <see cref="SqliteWriteGate"/>, so it never meets the usage writer's batch in SQLite's
/// busy wait. Values are stored as EF Core stores them (times as <c>yyyy-MM-dd HH:mm:ss.FFFFFFF</c> text), so the
/// rest of the store, which stays on EF Core, reads them alike. Connections are held open with their statements
/// prepared: one for writing (used only inside the gate, so by one message at a time), and readers as many as
/// messages read at once.
/// </summary>
internal sealed class SqliteConversationRows(string connectionString) : IDisposable
{
    private readonly SqliteWriteGate _gate = SqliteWriteGate.For(connectionString);
    private readonly ConcurrentBag<Reader> _readers = [];
    private Writer? _writer;
    private bool _disposed;

    /// <summary>The file's write gate, for the writes that stay on EF Core.</summary>
    public SqliteWriteGate Gate => _gate;

    public ConversationHeader? Find(ConversationAddress address)
    {
        var reader = Rent();
        try
        {
            reader.Partition.Value = address.Partition;
            reader.Name.Value = address.Name;
            using var row = reader.Find.ExecuteReader();
            var header = row.Read() ? ReadHeader(row, address.Partition, address.Name) : null;
            // Stepped to the end (the index is unique: one more step), so the statement's read transaction ends here:
            // a statement left mid-way keeps its snapshot while the connection waits in the bag, and no checkpoint
            // can then get past it (the WAL grew by every message).
            while (row.Read())
            {
            }

            return header;
        }
        finally
        {
            Return(reader);
        }
    }

    public IReadOnlyList<StoredTurn> LoadTurns(long conversationId, int limit)
    {
        var reader = Rent();
        try
        {
            reader.ConversationId.Value = conversationId;
            reader.Limit.Value = limit;
            var newestFirst = new List<StoredTurn>(Math.Min(limit, 256));
            using (var row = reader.LoadTurns.ExecuteReader())
            {
                while (row.Read())
                {
                    var emotes = row.IsDBNull(4) ? null : row.GetString(4);
                    newestFirst.Add(new StoredTurn(
                        row.GetInt64(0),
                        new DialogueTurn(row.GetString(1), row.GetString(2), row.GetString(3), ReadTime(row, 6), StoredEmotes.Split(emotes)) { Tokens = row.GetInt32(5) }));
                }
            }

            newestFirst.Reverse();
            return newestFirst;
        }
        finally
        {
            Return(reader);
        }
    }

    /// <summary>The same change as <see cref="ConversationStore.AppendAsync"/> makes through EF Core, in one transaction.</summary>
    public async Task<(ConversationHeader Header, IReadOnlyList<StoredTurn> Added)> AppendAsync(
        ConversationHeader? existing,
        ConversationAddress address,
        IReadOnlyList<DialogueTurn> turns,
        ConversationChange change,
        DateTimeOffset now,
        int historyLimit,
        CancellationToken cancellationToken)
    {
        using var turn = await _gate.EnterAsync(cancellationToken);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var w = _writer ??= new Writer(_gate.ConnectionString);
        w.Begin.ExecuteNonQuery();
        try
        {
            var result = Append(w, existing, address, turns, change, now, historyLimit);
            w.Commit.ExecuteNonQuery();
            return result;
        }
        catch
        {
            if (SQLitePCL.raw.sqlite3_get_autocommit(w.Connection.Handle) == 0)
            {
                w.Rollback.ExecuteNonQuery();
            }

            throw;
        }
    }

    public void Dispose()
    {
        _disposed = true;
        while (_readers.TryTake(out var reader))
        {
            reader.Dispose();
        }

        // The writer is only touched inside the gate; a message still writing finds the store disposed next time.
        Interlocked.Exchange(ref _writer, null)?.Dispose();
    }

    private static (ConversationHeader Header, IReadOnlyList<StoredTurn> Added) Append(
        Writer w,
        ConversationHeader? existing,
        ConversationAddress address,
        IReadOnlyList<DialogueTurn> turns,
        ConversationChange change,
        DateTimeOffset now,
        int historyLimit)
    {
        var at = now.UtcDateTime;
        var header = existing ?? Create(w, address, at);
        var added = new StoredTurn[turns.Count];
        for (var i = 0; i < turns.Count; i++)
        {
            var t = turns[i];
            var number = header.LastSeq + 1 + i;
            w.TurnConversation.Value = header.Id;
            w.TurnSeq.Value = number;
            w.TurnRole.Value = t.Role;
            w.TurnSpeaker.Value = t.Speaker;
            w.TurnText.Value = t.Text;
            w.TurnEmotes.Value = (object?)StoredEmotes.Join(t.Emotes) ?? DBNull.Value;
            w.TurnTokens.Value = t.Tokens ?? 0;
            w.TurnAt.Value = FormatTime(t.At.UtcDateTime);
            w.InsertTurn.ExecuteNonQuery();
            added[i] = new StoredTurn(number, t);
        }

        var lastSeq = header.LastSeq + turns.Count;
        var turnCount = header.TurnCount + turns.Count;
        // Trimmed in steps, not by two turns every message: one DELETE per tenth of the limit.
        if (turnCount > historyLimit + Math.Max(2, historyLimit / 10))
        {
            w.TrimConversation.Value = header.Id;
            w.TrimKeepFrom.Value = lastSeq - historyLimit + 1;
            w.Trim.ExecuteNonQuery();
            turnCount = historyLimit;
        }

        var updated = header with
        {
            LastSeq = lastSeq,
            TurnCount = turnCount,
            Summary = change.Summary,
            SummaryThrough = change.SummaryThrough,
            Model = change.Model ?? header.Model,
            Revision = header.Revision + 1,
            LastActiveAt = new DateTimeOffset(at, TimeSpan.Zero),
        };
        w.UpdateLastSeq.Value = updated.LastSeq;
        w.UpdateTurnCount.Value = updated.TurnCount;
        w.UpdateSummary.Value = (object?)updated.Summary ?? DBNull.Value;
        w.UpdateSummaryThrough.Value = updated.SummaryThrough;
        w.UpdateModel.Value = (object?)updated.Model ?? DBNull.Value;
        w.UpdateRevision.Value = updated.Revision;
        w.UpdateAt.Value = FormatTime(at);
        w.UpdateId.Value = updated.Id;
        if (w.Update.ExecuteNonQuery() != 1)
        {
            // As EF Core's update of a row that is gone: the conversation was deleted under the lock's nose.
            throw new InvalidOperationException($"Conversation {address.Name} of partition {address.Partition} was deleted while a message was written to it.");
        }

        return (updated, added);
    }

    private static ConversationHeader Create(Writer w, ConversationAddress address, DateTime at)
    {
        using var command = w.Connection.CreateCommand();
        command.CommandText = "INSERT INTO conversations (partition, name, summary_through, last_seq, turn_count, revision, created_at, last_active_at) VALUES ($partition, $name, 0, 0, 0, 0, $at, $at) RETURNING id";
        command.Parameters.AddWithValue("$partition", address.Partition);
        command.Parameters.AddWithValue("$name", address.Name);
        command.Parameters.AddWithValue("$at", FormatTime(at));
        var id = (long)command.ExecuteScalar()!;
        var time = new DateTimeOffset(at, TimeSpan.Zero);
        return new ConversationHeader(id, address.Partition, address.Name, null, null, 0, 0, 0, 0, null, time, time);
    }

    private Reader Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _readers.TryTake(out var reader) ? reader : new Reader(_gate.ConnectionString);
    }

    private void Return(Reader reader)
    {
        if (_disposed)
        {
            reader.Dispose();
            return;
        }

        _readers.Add(reader);
    }

    private static ConversationHeader ReadHeader(SqliteDataReader reader, string partition, string name) => new(
        reader.GetInt64(0),
        partition,
        name,
        reader.IsDBNull(1) ? null : reader.GetString(1),
        reader.IsDBNull(2) ? null : reader.GetString(2),
        reader.GetInt64(3),
        reader.GetInt64(4),
        reader.GetInt32(5),
        reader.GetInt64(6),
        reader.IsDBNull(7) ? null : reader.GetString(7),
        ReadTime(reader, 8),
        ReadTime(reader, 9));

    private static DateTimeOffset ReadTime(SqliteDataReader reader, int ordinal) =>
        new(DateTime.SpecifyKind(DateTime.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.None), DateTimeKind.Unspecified), TimeSpan.Zero);

    private static string FormatTime(DateTime utc) => SqliteTimeText.ToText(utc);

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, params (string Name, SqliteType Type)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, type) in parameters)
        {
            command.Parameters.Add(name, type);
        }

        command.Prepare();
        return command;
    }

    /// <summary>A connection for reading, with its two statements prepared.</summary>
    private sealed class Reader : IDisposable
    {
        public Reader(string connectionString)
        {
            Connection = new SqliteConnection(connectionString);
            Connection.Open();
            Find = Prepare(
                Connection,
                "SELECT id, system_prompt, summary, summary_through, last_seq, turn_count, revision, model, created_at, last_active_at FROM conversations WHERE partition = $partition AND name = $name",
                ("$partition", SqliteType.Text),
                ("$name", SqliteType.Text));
            Partition = Find.Parameters["$partition"];
            Name = Find.Parameters["$name"];
            LoadTurns = Prepare(
                Connection,
                "SELECT seq, role, speaker, text, emotes, tokens, at FROM conversation_turns WHERE conversation_id = $id ORDER BY seq DESC LIMIT $limit",
                ("$id", SqliteType.Integer),
                ("$limit", SqliteType.Integer));
            ConversationId = LoadTurns.Parameters["$id"];
            Limit = LoadTurns.Parameters["$limit"];
        }

        public SqliteConnection Connection { get; }

        public SqliteCommand Find { get; }

        public SqliteParameter Partition { get; }

        public SqliteParameter Name { get; }

        public SqliteCommand LoadTurns { get; }

        public SqliteParameter ConversationId { get; }

        public SqliteParameter Limit { get; }

        public void Dispose()
        {
            Find.Dispose();
            LoadTurns.Dispose();
            Connection.Dispose();
        }
    }

    /// <summary>The connection for writing, with the statements of a message prepared; used inside the gate only.</summary>
    private sealed class Writer : IDisposable
    {
        public Writer(string connectionString)
        {
            Connection = new SqliteConnection(connectionString);
            Connection.Open();
            SqliteWriteGate.PrepareWriter(Connection);
            Begin = Prepare(Connection, "BEGIN IMMEDIATE");
            Commit = Prepare(Connection, "COMMIT");
            Rollback = Prepare(Connection, "ROLLBACK");
            InsertTurn = Prepare(
                Connection,
                "INSERT INTO conversation_turns (conversation_id, seq, role, speaker, text, emotes, tokens, at) VALUES ($id, $seq, $role, $speaker, $text, $emotes, $tokens, $at)",
                ("$id", SqliteType.Integer),
                ("$seq", SqliteType.Integer),
                ("$role", SqliteType.Text),
                ("$speaker", SqliteType.Text),
                ("$text", SqliteType.Text),
                ("$emotes", SqliteType.Text),
                ("$tokens", SqliteType.Integer),
                ("$at", SqliteType.Text));
            (TurnConversation, TurnSeq, TurnRole, TurnSpeaker) = (InsertTurn.Parameters[0], InsertTurn.Parameters[1], InsertTurn.Parameters[2], InsertTurn.Parameters[3]);
            (TurnText, TurnEmotes, TurnTokens, TurnAt) = (InsertTurn.Parameters[4], InsertTurn.Parameters[5], InsertTurn.Parameters[6], InsertTurn.Parameters[7]);
            Trim = Prepare(
                Connection,
                "DELETE FROM conversation_turns WHERE conversation_id = $id AND seq < $keepFrom",
                ("$id", SqliteType.Integer),
                ("$keepFrom", SqliteType.Integer));
            (TrimConversation, TrimKeepFrom) = (Trim.Parameters[0], Trim.Parameters[1]);
            Update = Prepare(
                Connection,
                "UPDATE conversations SET last_seq = $lastSeq, turn_count = $turnCount, summary = $summary, summary_through = $summaryThrough, model = $model, revision = $revision, last_active_at = $at WHERE id = $id",
                ("$lastSeq", SqliteType.Integer),
                ("$turnCount", SqliteType.Integer),
                ("$summary", SqliteType.Text),
                ("$summaryThrough", SqliteType.Integer),
                ("$model", SqliteType.Text),
                ("$revision", SqliteType.Integer),
                ("$at", SqliteType.Text),
                ("$id", SqliteType.Integer));
            (UpdateLastSeq, UpdateTurnCount, UpdateSummary, UpdateSummaryThrough) = (Update.Parameters[0], Update.Parameters[1], Update.Parameters[2], Update.Parameters[3]);
            (UpdateModel, UpdateRevision, UpdateAt, UpdateId) = (Update.Parameters[4], Update.Parameters[5], Update.Parameters[6], Update.Parameters[7]);
        }

        public SqliteConnection Connection { get; }

        public SqliteCommand Begin { get; }

        public SqliteCommand Commit { get; }

        public SqliteCommand Rollback { get; }

        public SqliteCommand InsertTurn { get; }

        public SqliteParameter TurnConversation { get; }

        public SqliteParameter TurnSeq { get; }

        public SqliteParameter TurnRole { get; }

        public SqliteParameter TurnSpeaker { get; }

        public SqliteParameter TurnText { get; }

        public SqliteParameter TurnEmotes { get; }

        public SqliteParameter TurnTokens { get; }

        public SqliteParameter TurnAt { get; }

        public SqliteCommand Trim { get; }

        public SqliteParameter TrimConversation { get; }

        public SqliteParameter TrimKeepFrom { get; }

        public SqliteCommand Update { get; }

        public SqliteParameter UpdateLastSeq { get; }

        public SqliteParameter UpdateTurnCount { get; }

        public SqliteParameter UpdateSummary { get; }

        public SqliteParameter UpdateSummaryThrough { get; }

        public SqliteParameter UpdateModel { get; }

        public SqliteParameter UpdateRevision { get; }

        public SqliteParameter UpdateAt { get; }

        public SqliteParameter UpdateId { get; }

        public void Dispose()
        {
            foreach (var command in new[] { Begin, Commit, Rollback, InsertTurn, Trim, Update })
            {
                command.Dispose();
            }

            Connection.Dispose();
        }
    }
}
