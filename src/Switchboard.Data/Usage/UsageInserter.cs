using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Switchboard.Data.Entities;

namespace Switchboard.Data.Usage;

/// <summary>
/// Inserts a batch of usage rows without EF Core's change tracking and SQL generation, which cost tens of
/// microseconds of CPU per row (docs/benchmarks.md): binary COPY on PostgreSQL, one prepared statement in one
/// transaction on SQLite, values written in the representation EF Core reads back (TEXT GUIDs in upper case and
/// <c>yyyy-MM-dd HH:mm:ss.FFFFFFF</c> times on SQLite). Replays, which must skip rows already present, go
/// through EF Core instead (rare).
/// </summary>
internal static class UsageInserter
{
    private const string UsageColumns = "id, occurred_at, request_id, endpoint, key_id, user_id, team_id, end_user, requested_model, served_model, provider, deployment, input_tokens, output_tokens, cost_nano_usd, latency_ms, ttft_ms, attempts, stream, cache_result, cached_tokens, cost_saved_nano_usd, status, error_code, has_stored_messages, compression_tokens_saved";
    private const string MessageColumns = "usage_id, encryption_key_id, nonce, ciphertext, tag";

    public static async Task InsertAsync(SwitchboardDatabase database, IReadOnlyList<SpilledRecord> rows, CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        var connection = context.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        if (connection is NpgsqlConnection npgsql)
        {
            await CopyAsync(npgsql, rows, cancellationToken);
        }
        else
        {
            await InsertSqliteAsync((SqliteConnection)connection, rows, cancellationToken);
        }
    }

    private static async Task CopyAsync(NpgsqlConnection connection, IReadOnlyList<SpilledRecord> rows, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var copy = await connection.BeginBinaryImportAsync($"COPY usage ({UsageColumns}) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var row in rows)
            {
                var u = row.Usage;
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(u.Id, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(DateTime.SpecifyKind(u.OccurredAt, DateTimeKind.Utc), NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(u.RequestId, NpgsqlDbType.Varchar, cancellationToken);
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

        await transaction.CommitAsync(cancellationToken);
    }

    private static Task WriteTextAsync(NpgsqlBinaryImporter copy, string? value, CancellationToken cancellationToken) =>
        value is null ? copy.WriteNullAsync(cancellationToken) : copy.WriteAsync(value, NpgsqlDbType.Varchar, cancellationToken);

    private static async Task InsertSqliteAsync(SqliteConnection connection, IReadOnlyList<SpilledRecord> rows, CancellationToken cancellationToken)
    {
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            var names = UsageColumns.Split(", ");
            command.CommandText = $"INSERT INTO usage ({UsageColumns}) VALUES ({string.Join(", ", names.Select(n => "$" + n))})";
            var parameters = names.Select(n => command.Parameters.Add(new SqliteParameter("$" + n, null))).ToArray();
            foreach (var row in rows)
            {
                var u = row.Usage;
                object?[] values =
                [
                    SqliteGuid(u.Id), SqliteTime(u.OccurredAt), u.RequestId, u.Endpoint, u.KeyId, u.UserId, u.TeamId, u.EndUser,
                    u.RequestedModel, u.ServedModel, u.Provider, u.Deployment, u.InputTokens, u.OutputTokens, u.CostNanoUsd,
                    u.LatencyMs, u.TtftMs, u.Attempts, u.Stream ? 1 : 0, u.CacheResult, u.CachedTokens, u.CostSavedNanoUsd,
                    u.Status, u.ErrorCode, u.HasStoredMessages ? 1 : 0, u.CompressionTokensSaved,
                ];
                for (var i = 0; i < values.Length; i++)
                {
                    parameters[i].Value = values[i] ?? DBNull.Value;
                }

                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }

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

        await transaction.CommitAsync(cancellationToken);
    }

    // EF Core's SQLite provider keeps GUIDs as upper-case text and times in this format; queries compare them as text.
    private static string SqliteGuid(Guid id) => id.ToString().ToUpperInvariant();

    private static string SqliteTime(DateTime time) => time.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);

}
