using Microsoft.EntityFrameworkCore;

namespace Switchboard.Data;

/// <summary>The model on SQLite, with its own migrations (<c>Migrations/Sqlite</c>).</summary>
public sealed class SqliteSwitchboardDbContext(DbContextOptions<SqliteSwitchboardDbContext> options) : SwitchboardDbContext(options);
