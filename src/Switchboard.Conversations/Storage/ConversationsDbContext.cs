using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Switchboard.Data;

namespace Switchboard.Conversations.Storage;

/// <summary>
/// The conversations service's tables, <c>conversations</c> and <c>conversation_turns</c>, in the gateway's database.
/// A context of its own with its own migrations history table, so it evolves apart from the keys and usage tables.
/// Each provider has a subclass owning its migrations (SQL types differ).
/// </summary>
public abstract class ConversationsDbContext(DbContextOptions options) : DbContext(options)
{
    /// <summary>The migrations history table of this context.</summary>
    public const string HistoryTable = "__conversations_migrations";

    public DbSet<ConversationEntity> Conversations => Set<ConversationEntity>();

    public DbSet<TurnEntity> Turns => Set<TurnEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<ConversationEntity>(conversation =>
        {
            conversation.ToTable("conversations");
            conversation.HasKey(c => c.Id);
            conversation.Property(c => c.Id).ValueGeneratedOnAdd();
            conversation.Property(c => c.Partition).HasMaxLength(Configuration.ConversationPartitions.MaxLength);
            conversation.Property(c => c.Name).HasMaxLength(128);
            // A message finds its conversation by both, with this index; ids are unique only within a partition.
            conversation.HasIndex(c => new { c.Partition, c.Name }).IsUnique();
            conversation.HasIndex(c => c.LastActiveAt);
            conversation.Property(c => c.Model).HasMaxLength(200);
        });

        modelBuilder.Entity<TurnEntity>(turn =>
        {
            turn.ToTable("conversation_turns");
            turn.HasKey(t => new { t.ConversationId, t.Seq });
            turn.Property(t => t.Role).HasMaxLength(16);
            turn.Property(t => t.Speaker).HasMaxLength(128);
            turn.HasOne<ConversationEntity>().WithMany().HasForeignKey(t => t.ConversationId).OnDelete(DeleteBehavior.Cascade);
        });

        // Every timestamp is UTC; SQLite hands DateTime back without a kind and Npgsql insists on one.
        var utc = new ValueConverter<DateTime, DateTime>(v => v, v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(DatabaseNaming.SnakeCase(property.Name));
                if (property.ClrType == typeof(DateTime))
                {
                    property.SetValueConverter(utc);
                }
            }

            foreach (var index in entity.GetIndexes())
            {
                index.SetDatabaseName($"ix_{entity.GetTableName()}_{string.Join('_', index.Properties.Select(p => DatabaseNaming.SnakeCase(p.Name)))}");
            }

            foreach (var foreignKey in entity.GetForeignKeys())
            {
                foreignKey.SetConstraintName($"fk_{entity.GetTableName()}_{foreignKey.PrincipalEntityType.GetTableName()}");
            }

            entity.FindPrimaryKey()?.SetName($"pk_{entity.GetTableName()}");
        }
    }
}
