using Microsoft.EntityFrameworkCore;
using Switchboard.Conversations.Dialogue;
using Switchboard.Data;

namespace Switchboard.Conversations.Storage;

/// <summary>
/// Reads and writes conversations and their turns. Callers hold the conversation's lock
/// (<see cref="ConversationLocks"/>) around a read followed by a write, so a write never races another on the
/// same conversation; every write is one transaction. On SQLite, what every message does (find, load, append) runs in
/// plain ADO.NET (<see cref="SqliteConversationRows"/>) and every write queues at the file's write gate.
/// </summary>
public sealed class ConversationStore(ConversationDatabase database) : IDisposable
{
    private readonly SqliteConversationRows? _sqlite = database.IsPostgres ? null : new SqliteConversationRows(database.Connection);

    /// <summary>The conversation's row, or null when there is none.</summary>
    public async Task<ConversationHeader?> FindAsync(ConversationAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (_sqlite is not null)
        {
            return _sqlite.Find(address);
        }

        var (partition, name) = (address.Partition, address.Name);
        await using var db = database.CreateContext();
        // Not EF.CompileAsyncQuery: a compiled query keeps the executor of one provider, and a process may serve
        // SQLite and PostgreSQL contexts (tests do); EF's own query cache is per context type.
        var row = await db.Conversations.FirstOrDefaultAsync(c => c.Partition == partition && c.Name == name, cancellationToken);
        return row is null ? null : ToHeader(row);
    }

    /// <summary>The newest <paramref name="limit"/> turns of a conversation, oldest first.</summary>
    public async Task<IReadOnlyList<StoredTurn>> LoadTurnsAsync(long conversationId, int limit, CancellationToken cancellationToken)
    {
        if (_sqlite is not null)
        {
            return _sqlite.LoadTurns(conversationId, limit);
        }

        await using var db = database.CreateContext();
        var rows = await db.Turns
            .Where(t => t.ConversationId == conversationId)
            .OrderByDescending(t => t.Seq)
            .Take(limit)
            .ToListAsync(cancellationToken);
        var turns = new StoredTurn[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[rows.Count - 1 - i];
            turns[i] = new StoredTurn(row.Seq, new DialogueTurn(row.Role, row.Speaker, row.Text, new DateTimeOffset(row.At, TimeSpan.Zero), StoredEmotes.Split(row.Emotes)) { Tokens = row.Tokens });
        }

        return turns;
    }

    /// <summary>
    /// Adds <paramref name="turns"/> to the conversation (creating it when <paramref name="existing"/> is null), applies
    /// <paramref name="change"/> and deletes the turns past <paramref name="historyLimit"/> (once a tenth more have
    /// gathered), in one transaction.
    /// </summary>
    /// <returns>The row as it is now, and the numbers the new turns got.</returns>
    public async Task<(ConversationHeader Header, IReadOnlyList<StoredTurn> Added)> AppendAsync(
        ConversationHeader? existing,
        ConversationAddress address,
        IReadOnlyList<DialogueTurn> turns,
        ConversationChange change,
        DateTimeOffset now,
        int historyLimit,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turns);
        ArgumentNullException.ThrowIfNull(change);
        if (_sqlite is not null)
        {
            return await _sqlite.AppendAsync(existing, address, turns, change, now, historyLimit, cancellationToken);
        }

        await using var db = database.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var row = await AttachOrCreateAsync(db, existing, address, now, cancellationToken);
        var added = new StoredTurn[turns.Count];
        for (var i = 0; i < turns.Count; i++)
        {
            var turn = turns[i];
            var seq = row.LastSeq + 1 + i;
            db.Turns.Add(new TurnEntity
            {
                ConversationId = row.Id,
                Seq = seq,
                Role = turn.Role,
                Speaker = turn.Speaker,
                Text = turn.Text,
                Emotes = StoredEmotes.Join(turn.Emotes),
                Tokens = turn.Tokens ?? 0,
                At = turn.At.UtcDateTime,
            });
            added[i] = new StoredTurn(seq, turn);
        }

        row.LastSeq += turns.Count;
        row.TurnCount += turns.Count;
        row.Summary = change.Summary;
        row.SummaryThrough = change.SummaryThrough;
        row.Model = change.Model ?? row.Model;
        row.Revision++;
        row.LastActiveAt = now.UtcDateTime;
        // Trimmed in steps, not by two turns every message: one DELETE per tenth of the limit.
        if (row.TurnCount > historyLimit + Math.Max(2, historyLimit / 10))
        {
            var keepFrom = row.LastSeq - historyLimit + 1;
            var id = row.Id;
            await db.Turns.Where(t => t.ConversationId == id && t.Seq < keepFrom).ExecuteDeleteAsync(cancellationToken);
            row.TurnCount = historyLimit;
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (ToHeader(row), added);
    }

    /// <summary>Sets the conversation's own system prompt (null or empty clears it), creating the conversation if needed.</summary>
    public async Task<ConversationHeader> SetSystemPromptAsync(ConversationHeader? existing, ConversationAddress address, string? systemPrompt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var gate = await EnterWriteAsync(cancellationToken);
        await using var db = database.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var row = await AttachOrCreateAsync(db, existing, address, now, cancellationToken);
        row.SystemPrompt = string.IsNullOrEmpty(systemPrompt) ? null : systemPrompt;
        row.Revision++;
        row.LastActiveAt = now.UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return ToHeader(row);
    }

    /// <summary>Deletes a conversation and its turns; false when there was none.</summary>
    public async Task<bool> DeleteAsync(ConversationAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        var (partition, name) = (address.Partition, address.Name);
        using var gate = await EnterWriteAsync(cancellationToken);
        await using var db = database.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var ids = db.Conversations.Where(c => c.Partition == partition && c.Name == name).Select(c => c.Id);
        await db.Turns.Where(t => ids.Contains(t.ConversationId)).ExecuteDeleteAsync(cancellationToken);
        var deleted = await db.Conversations.Where(c => c.Partition == partition && c.Name == name).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted > 0;
    }

    /// <summary>Deletes every conversation nobody wrote to since <paramref name="before"/>; returns how many.</summary>
    public async Task<int> DeleteIdleAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        var cutoff = before.UtcDateTime;
        using var gate = await EnterWriteAsync(cancellationToken);
        await using var db = database.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var ids = db.Conversations.Where(c => c.LastActiveAt < cutoff).Select(c => c.Id);
        await db.Turns.Where(t => ids.Contains(t.ConversationId)).ExecuteDeleteAsync(cancellationToken);
        var deleted = await db.Conversations.Where(c => c.LastActiveAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    /// <summary>Conversations of <paramref name="partition"/> (null: of every partition), the most recently active first.</summary>
    public async Task<IReadOnlyList<ConversationHeader>> ListAsync(string? partition, int limit, int offset, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var query = partition is null ? db.Conversations : db.Conversations.Where(c => c.Partition == partition);
        var rows = await query
            .OrderByDescending(c => c.LastActiveAt)
            .ThenBy(c => c.Id)
            .Skip(offset)
            .Take(limit)
            .ToListAsync(cancellationToken);
        return [.. rows.Select(ToHeader)];
    }

    private async ValueTask<SqliteWriteGate.Turn> EnterWriteAsync(CancellationToken cancellationToken) =>
        _sqlite is null ? default : await _sqlite.Gate.EnterAsync(cancellationToken);

    /// <summary>Closes the connections the SQLite statements of every message hold open.</summary>
    public void Dispose() => _sqlite?.Dispose();

    private static async Task<ConversationEntity> AttachOrCreateAsync(ConversationsDbContext db, ConversationHeader? existing, ConversationAddress address, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (existing is not null)
        {
            var row = ToEntity(existing);
            db.Conversations.Attach(row);
            return row;
        }

        var created = new ConversationEntity { Partition = address.Partition, Name = address.Name, CreatedAt = now.UtcDateTime, LastActiveAt = now.UtcDateTime };
        db.Conversations.Add(created);
        // The turns need the row's id.
        await db.SaveChangesAsync(cancellationToken);
        return created;
    }

    private static ConversationHeader ToHeader(ConversationEntity row) => new(
        row.Id,
        row.Partition,
        row.Name,
        row.SystemPrompt,
        row.Summary,
        row.SummaryThrough,
        row.LastSeq,
        row.TurnCount,
        row.Revision,
        row.Model,
        new DateTimeOffset(row.CreatedAt, TimeSpan.Zero),
        new DateTimeOffset(row.LastActiveAt, TimeSpan.Zero));

    private static ConversationEntity ToEntity(ConversationHeader header) => new()
    {
        Id = header.Id,
        Partition = header.Partition,
        Name = header.Name,
        SystemPrompt = header.SystemPrompt,
        Summary = header.Summary,
        SummaryThrough = header.SummaryThrough,
        LastSeq = header.LastSeq,
        TurnCount = header.TurnCount,
        Revision = header.Revision,
        Model = header.Model,
        CreatedAt = header.CreatedAt.UtcDateTime,
        LastActiveAt = header.LastActiveAt.UtcDateTime,
    };
}
