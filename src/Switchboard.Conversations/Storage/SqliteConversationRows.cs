using System.Globalization;
using Microsoft.Data.Sqlite;
using Switchboard.Conversations.Dialogue;
using Switchboard.Data;

namespace Switchboard.Conversations.Storage;

/// <summary>
/// The statements every message runs on SQLite (find the row, read turns when the cached copy is stale, append both
/// turns), in plain ADO.NET: through EF Core they cost ≈ 1 ms of CPU per message (a context, change tracking, SQL
/// generation and two <c>SaveChanges</c>), more than everything else a message does (docs/benchmarks.md). The write
/// goes through the file's <see cref="SqliteWriteGate"/>, so it never meets the usage writer's batch in SQLite's
/// busy wait. Values are stored as EF Core stores them (times as <c>yyyy-MM-dd HH:mm:ss.FFFFFFF</c> text), so the
/// rest of the store, which stays on EF Core, reads them alike.
/// </summary>
internal sealed class SqliteConversationRows(string connectionString)
{
    private const string TimeFormat = "yyyy-MM-dd HH:mm:ss.FFFFFFF";
    private const string HeaderColumns = "id, system_prompt, summary, summary_through, last_seq, turn_count, revision, model, created_at, last_active_at";

    private readonly SqliteWriteGate _gate = SqliteWriteGate.For(connectionString);

    /// <summary>The file's write gate, for the writes that stay on EF Core.</summary>
    public SqliteWriteGate Gate => _gate;

    public ConversationHeader? Find(ConversationAddress address)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {HeaderColumns} FROM conversations WHERE partition = $partition AND name = $name";
        command.Parameters.AddWithValue("$partition", address.Partition);
        command.Parameters.AddWithValue("$name", address.Name);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadHeader(reader, address.Partition, address.Name) : null;
    }

    public IReadOnlyList<StoredTurn> LoadTurns(long conversationId, int limit)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, role, speaker, text, emotes, tokens, at FROM conversation_turns WHERE conversation_id = $id ORDER BY seq DESC LIMIT $limit";
        command.Parameters.AddWithValue("$id", conversationId);
        command.Parameters.AddWithValue("$limit", limit);
        var newestFirst = new List<StoredTurn>(Math.Min(limit, 256));
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var emotes = reader.IsDBNull(4) ? null : reader.GetString(4);
                newestFirst.Add(new StoredTurn(
                    reader.GetInt64(0),
                    new DialogueTurn(reader.GetString(1), reader.GetString(2), reader.GetString(3), ReadTime(reader, 6), SplitEmotes(emotes)) { Tokens = reader.GetInt32(5) }));
            }
        }

        newestFirst.Reverse();
        return newestFirst;
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
        using var connection = Open();
        SqliteWriteGate.PrepareWriter(connection);
        using var turn = await _gate.EnterAsync(cancellationToken);
        using var transaction = connection.BeginTransaction(deferred: false);
        var at = now.UtcDateTime;
        var header = existing ?? Create(connection, address, at);
        var added = new StoredTurn[turns.Count];
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = "INSERT INTO conversation_turns (conversation_id, seq, role, speaker, text, emotes, tokens, at) VALUES ($id, $seq, $role, $speaker, $text, $emotes, $tokens, $at)";
            var id = insert.Parameters.Add("$id", SqliteType.Integer);
            var seq = insert.Parameters.Add("$seq", SqliteType.Integer);
            var role = insert.Parameters.Add("$role", SqliteType.Text);
            var speaker = insert.Parameters.Add("$speaker", SqliteType.Text);
            var text = insert.Parameters.Add("$text", SqliteType.Text);
            var emotes = insert.Parameters.Add("$emotes", SqliteType.Text);
            var tokens = insert.Parameters.Add("$tokens", SqliteType.Integer);
            var time = insert.Parameters.Add("$at", SqliteType.Text);
            insert.Prepare();
            for (var i = 0; i < turns.Count; i++)
            {
                var t = turns[i];
                var number = header.LastSeq + 1 + i;
                id.Value = header.Id;
                seq.Value = number;
                role.Value = t.Role;
                speaker.Value = t.Speaker;
                text.Value = t.Text;
                emotes.Value = t.Emotes.Count == 0 ? DBNull.Value : string.Join(' ', t.Emotes);
                tokens.Value = t.Tokens ?? 0;
                time.Value = FormatTime(t.At.UtcDateTime);
                insert.ExecuteNonQuery();
                added[i] = new StoredTurn(number, t);
            }
        }

        var lastSeq = header.LastSeq + turns.Count;
        var turnCount = header.TurnCount + turns.Count;
        // Trimmed in steps, not by two turns every message: one DELETE per tenth of the limit.
        if (turnCount > historyLimit + Math.Max(2, historyLimit / 10))
        {
            using var trim = connection.CreateCommand();
            trim.CommandText = "DELETE FROM conversation_turns WHERE conversation_id = $id AND seq < $keepFrom";
            trim.Parameters.AddWithValue("$id", header.Id);
            trim.Parameters.AddWithValue("$keepFrom", lastSeq - historyLimit + 1);
            trim.ExecuteNonQuery();
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
        using (var update = connection.CreateCommand())
        {
            update.CommandText = "UPDATE conversations SET last_seq = $lastSeq, turn_count = $turnCount, summary = $summary, summary_through = $summaryThrough, model = $model, revision = $revision, last_active_at = $at WHERE id = $id";
            update.Parameters.AddWithValue("$lastSeq", updated.LastSeq);
            update.Parameters.AddWithValue("$turnCount", updated.TurnCount);
            update.Parameters.AddWithValue("$summary", (object?)updated.Summary ?? DBNull.Value);
            update.Parameters.AddWithValue("$summaryThrough", updated.SummaryThrough);
            update.Parameters.AddWithValue("$model", (object?)updated.Model ?? DBNull.Value);
            update.Parameters.AddWithValue("$revision", updated.Revision);
            update.Parameters.AddWithValue("$at", FormatTime(at));
            update.Parameters.AddWithValue("$id", updated.Id);
            if (update.ExecuteNonQuery() != 1)
            {
                // As EF Core's update of a row that is gone: the conversation was deleted under the lock's nose.
                throw new InvalidOperationException($"Conversation {address.Name} of partition {address.Partition} was deleted while a message was written to it.");
            }
        }

        transaction.Commit();
        return (updated, added);
    }

    private static ConversationHeader Create(SqliteConnection connection, ConversationAddress address, DateTime at)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO conversations (partition, name, summary_through, last_seq, turn_count, revision, created_at, last_active_at) VALUES ($partition, $name, 0, 0, 0, 0, $at, $at) RETURNING id";
        command.Parameters.AddWithValue("$partition", address.Partition);
        command.Parameters.AddWithValue("$name", address.Name);
        command.Parameters.AddWithValue("$at", FormatTime(at));
        var id = (long)command.ExecuteScalar()!;
        var time = new DateTimeOffset(at, TimeSpan.Zero);
        return new ConversationHeader(id, address.Partition, address.Name, null, null, 0, 0, 0, 0, null, time, time);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_gate.ConnectionString);
        connection.Open();
        return connection;
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

    private static string FormatTime(DateTime utc) => utc.ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static IReadOnlyList<string> SplitEmotes(string? emotes) =>
        string.IsNullOrEmpty(emotes) ? [] : emotes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
