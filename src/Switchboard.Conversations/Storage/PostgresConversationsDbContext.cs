using Microsoft.EntityFrameworkCore;

namespace Switchboard.Conversations.Storage;

/// <summary>The conversation tables on PostgreSQL, with their own migrations (<c>Migrations/Postgres</c>).</summary>
public sealed class PostgresConversationsDbContext(DbContextOptions<PostgresConversationsDbContext> options) : ConversationsDbContext(options);
