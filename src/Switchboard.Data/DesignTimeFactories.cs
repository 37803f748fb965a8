using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Switchboard.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the SQLite context without a host.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteSwitchboardDbContext>
{
    public SqliteSwitchboardDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteSwitchboardDbContext>().UseSqlite("Data Source=design.db").Options);
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the PostgreSQL context without a server.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresSwitchboardDbContext>
{
    public PostgresSwitchboardDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresSwitchboardDbContext>().UseNpgsql("Host=localhost").Options);
}
