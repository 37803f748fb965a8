using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using SQLitePCL;
using Switchboard.Data.Entities;
using Switchboard.Text;

namespace Switchboard.Data.Usage;

/// <summary>
/// Inserts a batch of usage rows without EF Core's change tracking and SQL generation, which cost tens of
/// microseconds of CPU per row (docs/benchmarks.md): binary COPY on PostgreSQL, one prepared statement in one
/// transaction on SQLite (bound through the native API), values written in the representation EF Core reads back
/// (TEXT GUIDs in upper case and <c>yyyy-MM-dd HH:mm:ss.FFFFFFF</c> times on SQLite). The keys' last-used times are
/// updated in the same transaction, and so is what each key spent per day (<c>key_spend</c>). Replays, which must
/// skip rows already present, ask which ids exist first.
/// </summary>
internal static class UsageInserter
{
    private const string UsageColumns = "id, occurred_at, request_id, endpoint, key_id, user_id, team_id, end_user, requested_model, served_model, provider, deployment, input_tokens, output_tokens, cost_nano_usd, latency_ms, ttft_ms, attempts, stream, cache_result, cached_tokens, cost_saved_nano_usd, status, error_code, has_stored_messages, compression_tokens_saved";
    private const string MessageColumns = "usage_id, encryption_key_id, nonce, ciphertext, tag";
    // On SQLite the row's key (seq, UsageSequence) comes last.
    private const string UsageInsertSql = $"INSERT INTO usage ({UsageColumns}, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)";
    private const int SeqParameter = 27;
    private const int SqliteConstraintPrimaryKey = 1555;

    // Last-used times go in with the batch that proves the use, in its transaction: nothing on the request path, and
    // never later than an earlier write.
    private const string TouchSql = "UPDATE keys SET last_used_at = @at WHERE id = @id AND (last_used_at IS NULL OR last_used_at < @at)";

    // A key's spend per day goes in with the rows it sums, in their transaction, so the two never disagree (a replay
    // inserts only the rows that are missing, and adds only their cost).
    private const string SpendSql = "INSERT INTO key_spend (key_id, day, nano_usd) VALUES (@id, @day, @nano) ON CONFLICT (key_id, day) DO UPDATE SET nano_usd = key_spend.nano_usd + excluded.nano_usd";

    public static async Task InsertAsync(SwitchboardDatabase database, IReadOnlyList<UsageRow> rows, CancellationToken cancellationToken)
    {
        if (!database.IsPostgres)
        {
            // Behind the file's write gate, so a batch never meets a conversation's write in SQLite's busy wait.
            var gate = SqliteWriteGate.For(database.Options.Connection);
            await using var sqlite = new SqliteConnection(gate.ConnectionString);
            await sqlite.OpenAsync(cancellationToken);
            using var turn = await gate.EnterAsync(cancellationToken);
            await InsertSqliteAsync(sqlite, gate, rows, cancellationToken);
            // A usage row takes ≈ 270–340 bytes: about a tenth of the 4 KB the gate counts a page as (the file's own pages
            // are larger, SwitchboardDatabase.SqlitePageSize), which keeps the log to ≈ 10 MB.
            gate.CountPages(rows.Count / 10);
            return;
        }

        await using var context = database.CreateContext();
        var connection = (NpgsqlConnection)context.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        await CopyAsync(connection, rows, cancellationToken);
    }

    private static async Task CopyAsync(NpgsqlConnection connection, IReadOnlyList<UsageRow> rows, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var copy = await connection.BeginBinaryImportAsync($"COPY usage ({UsageColumns}) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var u in rows)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(u.Id, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(DateTime.SpecifyKind(u.OccurredAt, DateTimeKind.Utc), NpgsqlDbType.TimestampTz, cancellationToken);
                // A string of its own for the driver: made here, off the request path, and gone with the batch.
                await copy.WriteAsync(new string(u.RequestId), NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(u.Endpoint, NpgsqlDbType.Varchar, cancellationToken);
                await WriteTextAsync(copy, u.KeyId, cancellationToken);
                await WriteTextAsync(copy, u.UserId, cancellationToken);
                await WriteTextAsync(copy, u.TeamId, cancellationToken);
                await WriteTextAsync(copy, u.EndUser, cancellationToken);
                await copy.WriteAsync(u.RequestedModel, NpgsqlDbType.Varchar, cancellationToken);
                await WriteTextAsync(copy, u.ServedModel, cancellationToken);
                await WriteTextAsync(copy, u.Provider, cancellationToken);
                await WriteTextAsync(copy, u.Deployment, cancellationToken);
                await copy.WriteAsync(u.InputTokens, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(u.OutputTokens, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(u.CostNanoUsd, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(u.LatencyMs, NpgsqlDbType.Double, cancellationToken);
                if (u.TtftMs is { } ttft)
                {
                    await copy.WriteAsync(ttft, NpgsqlDbType.Double, cancellationToken);
                }
                else
                {
                    await copy.WriteNullAsync(cancellationToken);
                }

                await copy.WriteAsync(u.Attempts, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(u.Stream, NpgsqlDbType.Boolean, cancellationToken);
                await WriteTextAsync(copy, u.CacheResult, cancellationToken);
                await copy.WriteAsync(u.CachedTokens, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(u.CostSavedNanoUsd, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(u.Status, NpgsqlDbType.Integer, cancellationToken);
                await WriteTextAsync(copy, u.ErrorCode, cancellationToken);
                await copy.WriteAsync(u.HasStoredMessages, NpgsqlDbType.Boolean, cancellationToken);
                await copy.WriteAsync(u.CompressionTokensSaved, NpgsqlDbType.Integer, cancellationToken);
            }

            await copy.CompleteAsync(cancellationToken);
        }

        if (rows.Any(r => r.Messages is not null))
        {
            await using var copy = await connection.BeginBinaryImportAsync($"COPY stored_messages ({MessageColumns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
            foreach (var m in rows.Select(r => r.Messages).OfType<StoredMessagesEntity>())
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(m.UsageId, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(m.EncryptionKeyId, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(m.Nonce, NpgsqlDbType.Bytea, cancellationToken);
                await copy.WriteAsync(m.Ciphertext, NpgsqlDbType.Bytea, cancellationToken);
                await copy.WriteAsync(m.Tag, NpgsqlDbType.Bytea, cancellationToken);
            }

            await copy.CompleteAsync(cancellationToken);
        }

        if (KeyActivity.Of(rows) is { } keys)
        {
            await using (var command = new NpgsqlCommand(TouchSql, connection, transaction))
            {
                var id = new NpgsqlParameter<string>("id", NpgsqlDbType.Varchar);
                var at = new NpgsqlParameter<DateTime>("at", NpgsqlDbType.TimestampTz);
                command.Parameters.Add(id);
                command.Parameters.Add(at);
                foreach (var (keyId, time) in keys.LastUsed)
                {
                    id.TypedValue = keyId;
                    at.TypedValue = DateTime.SpecifyKind(time, DateTimeKind.Utc);
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }
            }

            await using (var command = new NpgsqlCommand(SpendSql, connection, transaction))
            {
                var id = new NpgsqlParameter<string>("id", NpgsqlDbType.Varchar);
                var day = new NpgsqlParameter<DateOnly>("day", NpgsqlDbType.Date);
                var nano = new NpgsqlParameter<long>("nano", NpgsqlDbType.Bigint);
                command.Parameters.Add(id);
                command.Parameters.Add(day);
                command.Parameters.Add(nano);
                foreach (var (keyId, date, nanoUsd) in keys.Spend)
                {
                    id.TypedValue = keyId;
                    day.TypedValue = date;
                    nano.TypedValue = nanoUsd;
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static Task WriteTextAsync(NpgsqlBinaryImporter copy, string? value, CancellationToken cancellationToken) =>
        value is null ? copy.WriteNullAsync(cancellationToken) : copy.WriteAsync(value, NpgsqlDbType.Varchar, cancellationToken);

    private static async Task InsertSqliteAsync(SqliteConnection connection, SqliteWriteGate gate, IReadOnlyList<UsageRow> rows, CancellationToken cancellationToken)
    {
        // WAL without a sync per commit: a commit survives the process dying (what the spill file promises too), and
        // the log is synced at checkpoints (the gate's, in the background) instead of the writer waiting for the disk.
        SqliteWriteGate.PrepareWriter(connection);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        // SQLite does no asynchronous I/O: the rows go in on this thread, through the native API directly.
        InsertSqliteRows(connection.Handle!, gate, rows, cancellationToken);
        if (rows.Any(r => r.Messages is not null))
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"INSERT INTO stored_messages ({MessageColumns}) VALUES ($id, $key, $nonce, $ciphertext, $tag)";
            foreach (var m in rows.Select(r => r.Messages).OfType<StoredMessagesEntity>())
            {
                command.Parameters.Clear();
                command.Parameters.AddWithValue("$id", SqliteGuid(m.UsageId));
                command.Parameters.AddWithValue("$key", m.EncryptionKeyId);
                command.Parameters.AddWithValue("$nonce", m.Nonce);
                command.Parameters.AddWithValue("$ciphertext", m.Ciphertext);
                command.Parameters.AddWithValue("$tag", m.Tag);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        if (KeyActivity.Of(rows) is { } keys)
        {
            await using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = TouchSql;
                var id = command.Parameters.Add(new SqliteParameter("@id", null));
                var at = command.Parameters.Add(new SqliteParameter("@at", null));
                foreach (var (keyId, time) in keys.LastUsed)
                {
                    id.Value = keyId;
                    at.Value = SqliteTimeText.ToText(time);
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }
            }

            await using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = SpendSql;
                var id = command.Parameters.Add(new SqliteParameter("@id", null));
                var day = command.Parameters.Add(new SqliteParameter("@day", null));
                var nano = command.Parameters.Add(new SqliteParameter("@nano", null));
                foreach (var (keyId, date, nanoUsd) in keys.Spend)
                {
                    id.Value = keyId;
                    // As EF Core's SQLite provider keeps a DateOnly.
                    day.Value = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                    nano.Value = nanoUsd;
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// One prepared statement, its values bound by position through SQLitePCL: Microsoft.Data.Sqlite's parameter
    /// objects, boxing and per-execution reader cost several microseconds of CPU per row, this a fraction of one.
    /// A binding stays in place across <c>sqlite3_reset</c>, so a value equal to the previous row's (the endpoint,
    /// key, user, models, provider, status... of most rows in a batch) is not encoded and copied again.
    /// </summary>
    private static void InsertSqliteRows(sqlite3 db, SqliteWriteGate gate, IReadOnlyList<UsageRow> rows, CancellationToken cancellationToken)
    {
        var rc = raw.sqlite3_prepare_v2(db, UsageInsertSql, out var statement);
        SqliteException.ThrowExceptionForRC(rc, db);
        using (statement)
        {
            var bound = new BoundValues(statement, db);
            Span<byte> small = stackalloc byte[40];
            foreach (var u in rows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var i = 1;
                u.Id.TryFormat(small, out var written, "D");
                Ascii.ToUpperInPlace(small[..written], out _);
                Check(raw.sqlite3_bind_text(statement, i++, small[..written]), db);
                written = SqliteTimeText.Write(u.OccurredAt, small);
                Check(raw.sqlite3_bind_text(statement, i++, small[..written]), db);
                bound.Text(i++, u.RequestId);
                bound.Text(i++, u.Endpoint);
                bound.Text(i++, u.KeyId);
                bound.Text(i++, u.UserId);
                bound.Text(i++, u.TeamId);
                bound.Text(i++, u.EndUser);
                bound.Text(i++, u.RequestedModel);
                bound.Text(i++, u.ServedModel);
                bound.Text(i++, u.Provider);
                bound.Text(i++, u.Deployment);
                bound.Integer(i++, u.InputTokens);
                bound.Integer(i++, u.OutputTokens);
                bound.Integer(i++, u.CostNanoUsd);
                Check(raw.sqlite3_bind_double(statement, i++, u.LatencyMs), db);
                Check(u.TtftMs is { } ttft ? raw.sqlite3_bind_double(statement, i++, ttft) : raw.sqlite3_bind_null(statement, i++), db);
                bound.Integer(i++, u.Attempts);
                bound.Integer(i++, u.Stream ? 1 : 0);
                bound.Text(i++, u.CacheResult);
                bound.Integer(i++, u.CachedTokens);
                bound.Integer(i++, u.CostSavedNanoUsd);
                bound.Integer(i++, u.Status);
                bound.Text(i++, u.ErrorCode);
                bound.Integer(i++, u.HasStoredMessages ? 1 : 0);
                bound.Integer(i, u.CompressionTokensSaved);
                Step(db, statement, UsageSequence.For(u.Id, gate.NextUsageKey()));
            }
        }
    }

    /// <summary>
    /// Inserts the bound row under <paramref name="key"/>, or under the next key of its millisecond while another row
    /// has it (another process writing to the file, or a million rows of one millisecond).
    /// </summary>
    private static void Step(sqlite3 db, sqlite3_stmt statement, long key)
    {
        for (var tries = 0; ; tries++)
        {
            Check(raw.sqlite3_bind_int64(statement, SeqParameter, key), db);
            var rc = raw.sqlite3_step(statement);
            var taken = rc != raw.SQLITE_DONE && raw.sqlite3_extended_errcode(db) == SqliteConstraintPrimaryKey;
            raw.sqlite3_reset(statement);
            if (rc == raw.SQLITE_DONE)
            {
                return;
            }

            if (!taken || tries >= UsageSequence.MaxTries)
            {
                SqliteException.ThrowExceptionForRC(rc, db);
            }

            key = UsageSequence.Next(key);
        }
    }

    /// <summary>What each parameter of the statement holds now, so an unchanged value is not bound again.</summary>
    private sealed class BoundValues(sqlite3_stmt statement, sqlite3 db)
    {
        private const int Parameters = 27;
        private readonly string?[] _texts = new string?[Parameters];
        private readonly long[] _integers = new long[Parameters];
        private readonly bool[] _set = new bool[Parameters];
        private byte[] _buffer = new byte[256];

        public void Text(int index, string? value)
        {
            if (_set[index] && string.Equals(_texts[index], value, StringComparison.Ordinal))
            {
                return;
            }

            if (value is null)
            {
                Check(raw.sqlite3_bind_null(statement, index), db);
            }
            else
            {
                BindUtf8(index, value);
            }

            _texts[index] = value;
            _set[index] = true;
        }

        /// <summary>A value unique to the row (the request id): bound every time, never compared.</summary>
        public void Text(int index, ReadOnlySpan<char> value)
        {
            BindUtf8(index, value);
            _texts[index] = null;
            _set[index] = false;
        }

        private void BindUtf8(int index, ReadOnlySpan<char> value)
        {
            var max = Encoding.UTF8.GetMaxByteCount(value.Length);
            if (max > _buffer.Length)
            {
                _buffer = new byte[max];
            }

            var length = Encoding.UTF8.GetBytes(value, _buffer);
            Check(raw.sqlite3_bind_text(statement, index, _buffer.AsSpan(0, length)), db);
        }

        public void Integer(int index, long value)
        {
            if (_set[index] && _integers[index] == value)
            {
                return;
            }

            Check(raw.sqlite3_bind_int64(statement, index, value), db);
            _integers[index] = value;
            _set[index] = true;
        }
    }

    private static void Check(int rc, sqlite3 db) => SqliteException.ThrowExceptionForRC(rc, db);

    /// <summary>
    /// What a batch's keyed rows add to the keys: each key's latest use, and its cost per UTC day of arrival (days that
    /// cost nothing left out). Both in key order, so that replicas writing to one PostgreSQL database lock a batch's
    /// keys in the same order and never deadlock.
    /// </summary>
    private sealed class KeyActivity
    {
        private KeyActivity(List<(string KeyId, DateTime At)> lastUsed, List<(string KeyId, DateOnly Day, long NanoUsd)> spend)
        {
            LastUsed = lastUsed;
            Spend = spend;
        }

        public List<(string KeyId, DateTime At)> LastUsed { get; }

        public List<(string KeyId, DateOnly Day, long NanoUsd)> Spend { get; }

        /// <summary>Null when no row has a key.</summary>
        public static KeyActivity? Of(IReadOnlyList<UsageRow> rows)
        {
            var lastUsed = new Dictionary<string, DateTime>(StringComparer.Ordinal);
            var spend = new Dictionary<(string KeyId, DateOnly Day), long>();
            foreach (var row in rows)
            {
                if (row.KeyId is not { } keyId)
                {
                    continue;
                }

                if (!lastUsed.TryGetValue(keyId, out var known) || known < row.OccurredAt)
                {
                    lastUsed[keyId] = row.OccurredAt;
                }

                if (row.CostNanoUsd != 0)
                {
                    var day = (keyId, DateOnly.FromDateTime(row.OccurredAt));
                    spend[day] = spend.GetValueOrDefault(day) + row.CostNanoUsd;
                }
            }

            return lastUsed.Count == 0 ? null : new KeyActivity(
                [.. lastUsed.Select(static p => (p.Key, p.Value)).OrderBy(static p => p.Key, StringComparer.Ordinal)],
                [.. spend.Select(static p => (p.Key.KeyId, p.Key.Day, p.Value)).OrderBy(static p => p.KeyId, StringComparer.Ordinal).ThenBy(static p => p.Day)]);
        }
    }

    // EF Core's SQLite provider keeps GUIDs as upper-case text; queries compare them as text.
    private static string SqliteGuid(Guid id) => id.ToString().ToUpperInvariant();
}
