using Microsoft.EntityFrameworkCore;

namespace Switchboard.Conversations.Storage;

/// <summary>The conversation tables on SQLite, with their own migrations (<c>Migrations/Sqlite</c>).</summary>
public sealed class SqliteConversationsDbContext(DbContextOptions<SqliteConversationsDbContext> options) : ConversationsDbContext(options);
