using Microsoft.EntityFrameworkCore;

namespace Switchboard.Data;

/// <summary>The model on PostgreSQL, with its own migrations (<c>Migrations/Postgres</c>).</summary>
public sealed class PostgresSwitchboardDbContext(DbContextOptions<PostgresSwitchboardDbContext> options) : SwitchboardDbContext(options);
