using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Switchboard.Conversations.Storage;

/// <summary>Lets <c>dotnet ef migrations add</c> build the SQLite context without a host.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteConversationsDbContext>
{
    public SqliteConversationsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteConversationsDbContext>()
            .UseSqlite("Data Source=design.db", o => o.MigrationsHistoryTable(ConversationsDbContext.HistoryTable))
            .Options);
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the PostgreSQL context without a server.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresConversationsDbContext>
{
    public PostgresConversationsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresConversationsDbContext>()
            .UseNpgsql("Host=localhost", o => o.MigrationsHistoryTable(ConversationsDbContext.HistoryTable))
            .Options);
}
