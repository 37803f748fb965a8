using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Switchboard.Data.Entities;
using Switchboard.Data.Protection;
using Switchboard.Accounting;

namespace Switchboard.Data.Usage;

/// <summary>Reads the usage table: spend per key (for budgets), totals for <c>/admin/usage</c>, CSV export, one request.</summary>
public sealed class UsageQueries(SwitchboardDatabase database) : IKeySpendSource
{
    /// <inheritdoc />
    public async ValueTask<decimal> GetSpendAsync(string keyId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        var spend = await NanoSpendAsync(keyId, since, cancellationToken);
        return Money.FromNano(spend.GetValueOrDefault(keyId));
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyDictionary<string, decimal>> GetSpendByKeyAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var spend = await NanoSpendAsync(null, since, cancellationToken);
        return spend.ToDictionary(p => p.Key, p => Money.FromNano(p.Value), StringComparer.Ordinal);
    }

    /// <summary>
    /// Nano-USD per key (only <paramref name="keyId"/>'s when given) since <paramref name="since"/>. Whole days come
    /// from <c>key_spend</c> (a few rows per key); only when <paramref name="since"/> is not a UTC midnight are the
    /// usage rows of the rest of its day summed (budgets always ask from a midnight).
    /// </summary>
    private async Task<Dictionary<string, long>> NanoSpendAsync(string? keyId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var (days, partial) = Split(since);
        await using var context = database.CreateContext();
        var kept = context.KeySpendDays.Where(s => s.Day >= days);
        if (keyId is not null)
        {
            kept = kept.Where(s => s.KeyId == keyId);
        }

        var spend = await kept
            .GroupBy(s => s.KeyId)
            .Select(g => new KeySpend(g.Key, g.Sum(s => s.NanoUsd)))
            .ToDictionaryAsync(s => s.KeyId, s => s.NanoUsd, StringComparer.Ordinal, cancellationToken);
        if (partial is { } range)
        {
            foreach (var row in await SpendByKey(context, !database.IsPostgres, range.From, range.To, keyId).ToListAsync(cancellationToken))
            {
                spend[row.KeyId] = spend.GetValueOrDefault(row.KeyId) + row.NanoUsd;
            }
        }

        return spend;
    }

    /// <summary>
    /// The whole days at or after <paramref name="since"/> (the first of them), and the part of a day before them
    /// that is at or after it (null when <paramref name="since"/> is a midnight).
    /// </summary>
    private static (DateOnly Days, (DateTimeOffset From, DateTimeOffset To)? Partial) Split(DateTimeOffset since)
    {
        var at = since.UtcDateTime;
        var day = DateOnly.FromDateTime(at);
        if (at.TimeOfDay == TimeSpan.Zero)
        {
            return (day, null);
        }

        var next = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddDays(1);
        return (day.AddDays(1), (since, next));
    }

    /// <summary>
    /// Spend per key (only <paramref name="keyId"/>'s when given) of the rows that arrived in [<paramref name="from"/>,
    /// <paramref name="to"/>) (the query, so tests can ask SQLite for its plan).
    /// </summary>
    internal static IQueryable<KeySpend> SpendByKey(SwitchboardDbContext context, bool sqlite, DateTimeOffset from, DateTimeOffset to, string? keyId = null)
    {
        var rows = Range(context, sqlite, from, to);
        rows = keyId is null ? rows.Where(u => u.KeyId != null) : rows.Where(u => u.KeyId == keyId);
        return rows.GroupBy(u => u.KeyId!).Select(g => new KeySpend(g.Key, g.Sum(u => u.CostNanoUsd)));
    }

    /// <summary>
    /// Totals of the requests in [<paramref name="from"/>, <paramref name="to"/>), grouped by <paramref name="groupBy"/>.
    /// The database groups by every dimension at once (a few rows per key, model and day); the requested
    /// grouping is folded from that, which keeps the SQL the same on every provider.
    /// </summary>
    public async Task<IReadOnlyList<UsageTotals>> GetTotalsAsync(DateTimeOffset? from, DateTimeOffset? to, UsageGrouping groupBy, CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        var fine = await Range(context, !database.IsPostgres, from, to)
            .GroupBy(u => new { u.KeyId, u.UserId, u.TeamId, u.EndUser, u.RequestedModel, Day = u.OccurredAt.Date })
            .Select(g => new
            {
                g.Key,
                Requests = g.LongCount(),
                Errors = g.LongCount(u => u.Status >= 400 || u.ErrorCode != null),
                Input = g.Sum(u => (long)u.InputTokens),
                Output = g.Sum(u => (long)u.OutputTokens),
                Cost = g.Sum(u => u.CostNanoUsd),
                Saved = g.Sum(u => u.CostSavedNanoUsd),
                Hits = g.LongCount(u => u.CacheResult == "hit" || u.CacheResult == "semantic"),
                Cached = g.Sum(u => (long)u.CachedTokens),
                Compressed = g.Sum(u => (long)u.CompressionTokensSaved),
            })
            .ToListAsync(cancellationToken);

        return [.. fine
            .GroupBy(r => new
            {
                KeyId = groupBy.HasFlag(UsageGrouping.Key) ? r.Key.KeyId : null,
                User = groupBy.HasFlag(UsageGrouping.User) ? r.Key.UserId : null,
                Team = groupBy.HasFlag(UsageGrouping.Team) ? r.Key.TeamId : null,
                EndUser = groupBy.HasFlag(UsageGrouping.EndUser) ? r.Key.EndUser : null,
                Model = groupBy.HasFlag(UsageGrouping.Model) ? r.Key.RequestedModel : null,
                Day = groupBy.HasFlag(UsageGrouping.Day) ? r.Key.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : null,
            })
            .Select(g => new UsageTotals
            {
                KeyId = g.Key.KeyId,
                User = g.Key.User,
                Team = g.Key.Team,
                EndUser = g.Key.EndUser,
                Model = g.Key.Model,
                Day = g.Key.Day,
                Requests = g.Sum(r => r.Requests),
                Errors = g.Sum(r => r.Errors),
                InputTokens = g.Sum(r => r.Input),
                OutputTokens = g.Sum(r => r.Output),
                CostUsd = Money.FromNano(g.Sum(r => r.Cost)),
                CostSavedUsd = Money.FromNano(g.Sum(r => r.Saved)),
                CacheHits = g.Sum(r => r.Hits),
                CachedTokens = g.Sum(r => r.Cached),
                CompressionTokensSaved = g.Sum(r => r.Compressed),
            })
            .OrderBy(t => t.Day, StringComparer.Ordinal)
            .ThenBy(t => t.KeyId, StringComparer.Ordinal)
            .ThenBy(t => t.User, StringComparer.Ordinal)
            .ThenBy(t => t.Model, StringComparer.Ordinal)];
    }

    /// <summary>Writes every record in the range as CSV (a header line, then one line per request, oldest first), streaming.</summary>
    public async Task ExportCsvAsync(DateTimeOffset? from, DateTimeOffset? to, TextWriter writer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        await writer.WriteLineAsync("time,request_id,endpoint,key_id,user,team,end_user,requested_model,served_model,provider,deployment,input_tokens,output_tokens,cost_usd,latency_ms,ttft_ms,attempts,stream,cache,cached_tokens,cost_saved_usd,status,error_code,compression_tokens_saved".AsMemory(), cancellationToken);
        await using var context = database.CreateContext();
        await foreach (var u in Export(context, !database.IsPostgres, from, to).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            var line = string.Join(',',
                u.OccurredAt.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                Csv(u.RequestId), u.Endpoint, Csv(u.KeyId), Csv(u.UserId), Csv(u.TeamId), Csv(u.EndUser), Csv(u.RequestedModel),
                Csv(u.ServedModel), Csv(u.Provider), Csv(u.Deployment),
                u.InputTokens.ToString(CultureInfo.InvariantCulture), u.OutputTokens.ToString(CultureInfo.InvariantCulture),
                Money.FromNano(u.CostNanoUsd).ToString(CultureInfo.InvariantCulture),
                u.LatencyMs.ToString("0.###", CultureInfo.InvariantCulture),
                u.TtftMs?.ToString("0.###", CultureInfo.InvariantCulture) ?? string.Empty,
                u.Attempts.ToString(CultureInfo.InvariantCulture), u.Stream ? "true" : "false", Csv(u.CacheResult),
                u.CachedTokens.ToString(CultureInfo.InvariantCulture), Money.FromNano(u.CostSavedNanoUsd).ToString(CultureInfo.InvariantCulture),
                u.Status.ToString(CultureInfo.InvariantCulture), Csv(u.ErrorCode), u.CompressionTokensSaved.ToString(CultureInfo.InvariantCulture));
            await writer.WriteLineAsync(line.AsMemory(), cancellationToken);
        }
    }

    /// <summary>The newest record with <paramref name="requestId"/>, and its stored messages (still encrypted) when kept.</summary>
    public async Task<(UsageEntity Usage, StoredMessagesEntity? Messages)?> FindAsync(string requestId, CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        var usage = await NewestFirst(context, !database.IsPostgres, requestId).FirstOrDefaultAsync(cancellationToken);
        if (usage is null)
        {
            return null;
        }

        var messages = usage.HasStoredMessages ? await context.StoredMessages.FirstOrDefaultAsync(s => s.UsageId == usage.Id, cancellationToken) : null;
        return (usage, messages);
    }

    /// <summary>Decrypts a stored row with <paramref name="protector"/>.</summary>
    public static StoredExchange Open(MessageProtector protector, StoredMessagesEntity row)
    {
        ArgumentNullException.ThrowIfNull(protector);
        return protector.Unprotect(row);
    }

    /// <summary>The records in the range, oldest first, as the CSV export reads them.</summary>
    internal static IQueryable<UsageEntity> Export(SwitchboardDbContext context, bool sqlite, DateTimeOffset? from, DateTimeOffset? to) =>
        Range(context, sqlite, from, to).OrderBy(u => u.OccurredAt);

    /// <summary>
    /// The records of one request id, newest first. SQLite has no index on request ids (nor on arrival times): it walks
    /// the table backwards, which is in arrival order (<see cref="UsageSequence"/>), and stops at the first match.
    /// </summary>
    internal static IQueryable<UsageEntity> NewestFirst(SwitchboardDbContext context, bool sqlite, string requestId)
    {
        var query = context.Usage.Where(u => u.RequestId == requestId);
        return sqlite ? query.OrderByDescending(u => EF.Property<long>(u, UsageSequence.Property)) : query.OrderByDescending(u => u.OccurredAt);
    }

    /// <summary>
    /// The records with these ids. On SQLite, where ids have no index, only the keys of the ids' milliseconds are
    /// searched (<see cref="UsageSequence"/>).
    /// </summary>
    internal static IQueryable<UsageEntity> WithIds(SwitchboardDbContext context, bool sqlite, IReadOnlyCollection<Guid> ids)
    {
        var query = context.Usage.Where(u => ids.Contains(u.Id));
        if (!sqlite || ids.Count == 0)
        {
            return query;
        }

        var low = UsageSequence.First(ids.Min(UsageSequence.MillisecondOf));
        var high = UsageSequence.Last(ids.Max(UsageSequence.MillisecondOf));
        return query.Where(u => EF.Property<long>(u, UsageSequence.Property) >= low && EF.Property<long>(u, UsageSequence.Property) <= high);
    }

    /// <summary>
    /// The records that arrived in [<paramref name="from"/>, <paramref name="to"/>). On SQLite the range is also stated
    /// as a range of keys, so that SQLite searches the table by its key (there is no index on <c>occurred_at</c>
    /// there); the <c>occurred_at</c> conditions keep the answer exact.
    /// </summary>
    internal static IQueryable<UsageEntity> Range(SwitchboardDbContext context, bool sqlite, DateTimeOffset? from, DateTimeOffset? to)
    {
        IQueryable<UsageEntity> query = context.Usage;
        if (sqlite && (from is { } f0 ? UsageSequence.From(f0) : null) is { } low)
        {
            query = query.Where(u => EF.Property<long>(u, UsageSequence.Property) >= low);
        }

        if (sqlite && (to is { } t0 ? UsageSequence.Before(t0) : null) is { } high)
        {
            query = query.Where(u => EF.Property<long>(u, UsageSequence.Property) < high);
        }

        if (from is { } f)
        {
            var start = f.UtcDateTime;
            query = query.Where(u => u.OccurredAt >= start);
        }

        if (to is { } t)
        {
            var end = t.UtcDateTime;
            query = query.Where(u => u.OccurredAt < end);
        }

        return query;
    }

    private static string Csv(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        // Quote when needed; a leading =, +, - or @ is defused so a spreadsheet does not run it as a formula.
        var text = value[0] is '=' or '+' or '-' or '@' ? "'" + value : value;
        return text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }
}
