using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Switchboard.Data.Entities;
using Switchboard.Data.Usage;

namespace Switchboard.Data;

/// <summary>
/// The tables Switchboard keeps: <c>keys</c>, <c>usage</c>, <c>key_spend</c> and <c>stored_messages</c>. One model for every
/// database; each provider has a subclass that owns its migrations (<see cref="SqliteSwitchboardDbContext"/>,
/// <see cref="PostgresSwitchboardDbContext"/>), since migrations are written in a provider's own SQL types.
/// </summary>
public abstract class SwitchboardDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<KeyEntity> Keys => Set<KeyEntity>();

    public DbSet<UsageEntity> Usage => Set<UsageEntity>();

    public DbSet<StoredMessagesEntity> StoredMessages => Set<StoredMessagesEntity>();

    public DbSet<KeySpendEntity> KeySpendDays => Set<KeySpendEntity>();

    /// <summary>
    /// Whether <c>usage.request_id</c> has an index of its own. Request ids are not in time order, so every insert
    /// lands at a random place in such an index (the most expensive part of a row's insert, and far worse when
    /// clients send random ids); on SQLite that work runs inside the gateway's process, on PostgreSQL in the server's.
    /// </summary>
    protected virtual bool IndexesRequestIds => true;

    /// <summary>
    /// Whether <c>usage.occurred_at</c> has an index of its own. Where it has none, ranged queries search the primary
    /// key's index instead: ids are version 7 GUIDs of the arrival time (<c>UsageQueries</c>).
    /// </summary>
    protected virtual bool IndexesArrivalTimes => true;

    /// <summary>
    /// Whether <c>usage</c> is keyed by an integer of the arrival time (<c>seq</c>, SQLite's row id) rather than by
    /// its GUID; the GUID is then a column without an index (<see cref="UsageSequence"/>).
    /// </summary>
    protected virtual bool KeysUsageBySequence => false;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<KeyEntity>(key =>
        {
            key.ToTable("keys");
            key.HasKey(k => k.Id);
            key.Property(k => k.Id).HasMaxLength(40);
            key.Property(k => k.Name).HasMaxLength(200);
            key.Property(k => k.Prefix).HasMaxLength(40);
            key.Property(k => k.KeyHash).HasMaxLength(32);
            key.HasIndex(k => k.KeyHash).IsUnique();
            key.HasIndex(k => k.Prefix);
            key.Property(k => k.UserId).HasMaxLength(200);
            key.Property(k => k.TeamId).HasMaxLength(200);
            key.Property(k => k.BudgetDailyUsd).HasPrecision(18, 6);
            key.Property(k => k.BudgetMonthlyUsd).HasPrecision(18, 6);
            key.Property(k => k.BudgetTotalUsd).HasPrecision(18, 6);
        });

        modelBuilder.Entity<UsageEntity>(usage =>
        {
            usage.ToTable("usage");
            if (KeysUsageBySequence)
            {
                usage.Property<long>(UsageSequence.Property).ValueGeneratedNever();
                usage.HasKey(UsageSequence.Property);
            }
            else
            {
                usage.HasKey(u => u.Id);
            }

            usage.Property(u => u.RequestId).HasMaxLength(128);
            usage.Property(u => u.Endpoint).HasMaxLength(20);
            usage.Property(u => u.KeyId).HasMaxLength(40);
            usage.Property(u => u.UserId).HasMaxLength(200);
            usage.Property(u => u.TeamId).HasMaxLength(200);
            usage.Property(u => u.EndUser).HasMaxLength(200);
            usage.Property(u => u.RequestedModel).HasMaxLength(200);
            usage.Property(u => u.ServedModel).HasMaxLength(200);
            usage.Property(u => u.Provider).HasMaxLength(200);
            usage.Property(u => u.Deployment).HasMaxLength(400);
            usage.Property(u => u.CacheResult).HasMaxLength(20);
            usage.Property(u => u.ErrorCode).HasMaxLength(100);
            if (IndexesArrivalTimes)
            {
                usage.HasIndex(u => u.OccurredAt);
            }

            // No index on key ids: what a key spent is read from key_spend, which the writer keeps per key and day.
            if (IndexesRequestIds)
            {
                usage.HasIndex(u => u.RequestId);
            }
        });

        modelBuilder.Entity<KeySpendEntity>(spend =>
        {
            spend.ToTable("key_spend");
            spend.HasKey(s => new { s.KeyId, s.Day });
            spend.Property(s => s.KeyId).HasMaxLength(40);
        });

        modelBuilder.Entity<StoredMessagesEntity>(stored =>
        {
            stored.ToTable("stored_messages");
            stored.HasKey(s => s.UsageId);
            stored.Property(s => s.EncryptionKeyId).HasMaxLength(40);
        });

        // Every timestamp is UTC; SQLite hands DateTime back without a kind and Npgsql insists on one.
        var utc = new ValueConverter<DateTime, DateTime>(v => v, v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
        var utcNullable = new ValueConverter<DateTime?, DateTime?>(v => v, v => v.HasValue ? DateTime.SpecifyKind(v.Value, DateTimeKind.Utc) : v);
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(DatabaseNaming.SnakeCase(property.Name));
                if (property.ClrType == typeof(DateTime))
                {
                    property.SetValueConverter(utc);
                }
                else if (property.ClrType == typeof(DateTime?))
                {
                    property.SetValueConverter(utcNullable);
                }
            }

            foreach (var index in entity.GetIndexes())
            {
                index.SetDatabaseName($"ix_{entity.GetTableName()}_{string.Join('_', index.Properties.Select(p => DatabaseNaming.SnakeCase(p.Name)))}");
            }

            entity.FindPrimaryKey()?.SetName($"pk_{entity.GetTableName()}");
        }
    }
}
