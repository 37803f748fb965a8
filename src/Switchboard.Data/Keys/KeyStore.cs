using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Data.Entities;
using Switchboard.Identity;

namespace Switchboard.Data.Keys;

/// <summary>Virtual keys in the database: create (the key is returned once), list, revoke, look up by hash.</summary>
public sealed class KeyStore(SwitchboardDatabase database, TimeProvider timeProvider)
{
    /// <summary>Creates a key; the returned <see cref="CreatedKey.Secret"/> is the only copy of the key there will be.</summary>
    public async Task<CreatedKey> CreateAsync(KeySpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var secret = KeyHasher.NewKey();
        var entity = new KeyEntity
        {
            Id = KeyHasher.NewId(),
            Name = spec.Name,
            Prefix = KeyHasher.DisplayPrefix(secret),
            KeyHash = KeyHasher.Hash(secret),
            UserId = spec.User,
            TeamId = spec.Team,
            AllowedModels = spec.AllowedModels.Count == 0 ? null : string.Join(',', spec.AllowedModels),
            Rpm = spec.Rpm,
            Tpm = spec.Tpm,
            BudgetDailyUsd = spec.BudgetDailyUsd,
            BudgetMonthlyUsd = spec.BudgetMonthlyUsd,
            BudgetTotalUsd = spec.BudgetTotalUsd,
            ExpiresAt = spec.ExpiresAt?.UtcDateTime,
            Metadata = spec.Metadata is { Count: > 0 } metadata ? JsonSerializer.Serialize(metadata, DataJsonContext.Default.IReadOnlyDictionaryStringString) : null,
            CreatedAt = timeProvider.GetUtcNow().UtcDateTime,
        };
        await using var context = database.CreateContext();
        context.Keys.Add(entity);
        await context.SaveChangesAsync(cancellationToken);
        return new CreatedKey(ToInfo(entity), secret);
    }

    /// <summary>Every key, newest first; revoked ones only when asked.</summary>
    public async Task<IReadOnlyList<KeyInfo>> ListAsync(bool includeRevoked, CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        var query = context.Keys.AsQueryable();
        if (!includeRevoked)
        {
            query = query.Where(k => k.RevokedAt == null);
        }

        var rows = await query.ToListAsync(cancellationToken);
        return [.. rows.OrderByDescending(k => k.CreatedAt).Select(ToInfo)];
    }

    /// <summary>Revokes the key with id <paramref name="idOrPrefix"/>, or the one key whose display prefix starts with it.</summary>
    public async Task<(RevokeOutcome Outcome, KeyInfo? Key)> RevokeAsync(string idOrPrefix, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idOrPrefix);
        await using var context = database.CreateContext();
        var matches = await context.Keys.AsTracking()
            .Where(k => k.Id == idOrPrefix || (idOrPrefix.Length >= 8 && k.Prefix.StartsWith(idOrPrefix)))
            .Take(2)
            .ToListAsync(cancellationToken);
        var exact = matches.FirstOrDefault(k => k.Id == idOrPrefix);
        if (exact is null && matches.Count > 1)
        {
            return (RevokeOutcome.Ambiguous, null);
        }

        var entity = exact ?? matches.FirstOrDefault();
        if (entity is null)
        {
            return (RevokeOutcome.NotFound, null);
        }

        if (entity.RevokedAt is not null)
        {
            return (RevokeOutcome.AlreadyRevoked, ToInfo(entity));
        }

        entity.RevokedAt = timeProvider.GetUtcNow().UtcDateTime;
        await context.SaveChangesAsync(cancellationToken);
        return (RevokeOutcome.Revoked, ToInfo(entity));
    }

    /// <summary>The key whose stored hash is <paramref name="hash"/>, revoked or not; null when there is none.</summary>
    public async Task<KeyLookup?> FindByHashAsync(byte[] hash, CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        var entity = await context.Keys.FirstOrDefaultAsync(k => k.KeyHash == hash, cancellationToken);
        return entity is null ? null : new KeyLookup(ToVirtualKey(entity), entity.KeyHash, AsUtc(entity.RevokedAt));
    }

    /// <summary>Records when keys were last used; an older time never overwrites a newer one.</summary>
    public async Task TouchAsync(IReadOnlyDictionary<string, DateTimeOffset> lastUsed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lastUsed);
        await using var context = database.CreateContext();
        foreach (var (id, at) in lastUsed)
        {
            var time = at.UtcDateTime;
            await context.Keys
                .Where(k => k.Id == id && (k.LastUsedAt == null || k.LastUsedAt < time))
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, time), cancellationToken);
        }
    }

    internal static KeyInfo ToInfo(KeyEntity entity) => new()
    {
        Key = ToVirtualKey(entity),
        CreatedAt = new DateTimeOffset(DateTime.SpecifyKind(entity.CreatedAt, DateTimeKind.Utc)),
        LastUsedAt = AsUtc(entity.LastUsedAt),
        RevokedAt = AsUtc(entity.RevokedAt),
    };

    internal static VirtualKey ToVirtualKey(KeyEntity entity) => new()
    {
        Id = entity.Id,
        Name = entity.Name,
        Prefix = entity.Prefix,
        User = entity.UserId,
        Team = entity.TeamId,
        AllowedModels = entity.AllowedModels is { Length: > 0 } models ? models.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [],
        Rpm = entity.Rpm,
        Tpm = entity.Tpm,
        BudgetDailyUsd = entity.BudgetDailyUsd,
        BudgetMonthlyUsd = entity.BudgetMonthlyUsd,
        BudgetTotalUsd = entity.BudgetTotalUsd,
        ExpiresAt = AsUtc(entity.ExpiresAt),
        Metadata = entity.Metadata is { Length: > 0 } json
            ? JsonSerializer.Deserialize(json, DataJsonContext.Default.IReadOnlyDictionaryStringString) ?? new Dictionary<string, string>()
            : new Dictionary<string, string>(),
    };

    private static DateTimeOffset? AsUtc(DateTime? value) =>
        value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;
}
