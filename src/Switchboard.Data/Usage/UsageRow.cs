using Switchboard.Accounting;
using Switchboard.Data.Entities;
using Switchboard.Data.Protection;

namespace Switchboard.Data.Usage;

/// <summary>
/// One usage row on its way to the database, as it will be stored (lengths cut, money in nano-USD at insert). Rows are
/// reused (<see cref="UsageRowPool"/>): a queued request holds no object of its own, only strings that outlive it
/// anyway (key, user, model, provider and deployment names, shared through <see cref="SharedStrings"/> where they were
/// parsed per request) and its request id copied into the row's own buffer. So a record waiting for its batch survives
/// no collection of the young generation, however long it waits. Only spilled records become entities
/// (<see cref="ToSpilled"/>).
/// </summary>
internal sealed class UsageRow
{
    private const int RequestIdLength = 128;

    private char[] _requestId = new char[40];
    private int _requestIdLength;

    public Guid Id { get; private set; }

    public DateTime OccurredAt { get; private set; }

    /// <summary>The request id, at most 128 characters (the row's own copy).</summary>
    public ReadOnlySpan<char> RequestId => _requestId.AsSpan(0, _requestIdLength);

    public string Endpoint { get; private set; } = "chat";

    public string? KeyId { get; private set; }

    public string? UserId { get; private set; }

    public string? TeamId { get; private set; }

    public string? EndUser { get; private set; }

    public string RequestedModel { get; private set; } = "";

    public string? ServedModel { get; private set; }

    public string? Provider { get; private set; }

    public string? Deployment { get; private set; }

    public int InputTokens { get; private set; }

    public int OutputTokens { get; private set; }

    public decimal CostUsd { get; private set; }

    public double LatencyMs { get; private set; }

    public double? TtftMs { get; private set; }

    public int Attempts { get; private set; }

    public bool Stream { get; private set; }

    public string? CacheResult { get; private set; }

    public int CachedTokens { get; private set; }

    public decimal CostSavedUsd { get; private set; }

    public int CompressionTokensSaved { get; private set; }

    public int Status { get; private set; }

    public string? ErrorCode { get; private set; }

    /// <summary>The messages to encrypt (until <see cref="Protect"/>), only with <c>database.store_messages</c>.</summary>
    public StoredExchange? Exchange { get; private set; }

    /// <summary>The encrypted messages, once <see cref="Protect"/> ran (or as replayed).</summary>
    public StoredMessagesEntity? Messages { get; private set; }

    public bool HasStoredMessages { get; private set; }

    public long CostNanoUsd => Money.ToNano(CostUsd);

    public long CostSavedNanoUsd => Money.ToNano(CostSavedUsd);

    /// <summary>Takes the values of <paramref name="record"/>; the strings parsed per request go through <paramref name="shared"/>.</summary>
    public void Fill(UsageRecord record, SharedStrings shared)
    {
        Id = record.Id;
        OccurredAt = record.Timestamp.UtcDateTime;
        SetRequestId(record.RequestId);
        Endpoint = record.Endpoint;
        KeyId = record.KeyId;
        UserId = Truncate(record.User, 200);
        TeamId = Truncate(record.Team, 200);
        EndUser = record.EndUser is { } endUser ? shared.Share(Truncate(endUser, 200)!) : null;
        // Never null by contract; if it were, the writer must still not throw on the request path.
        RequestedModel = record.RequestedModel is { } requested ? shared.Share(Truncate(requested, 200)!) : null!;
        ServedModel = Truncate(record.ServedModel, 200);
        Provider = Truncate(record.Provider, 200);
        Deployment = Truncate(record.Deployment, 400);
        InputTokens = record.InputTokens;
        OutputTokens = record.OutputTokens;
        CostUsd = record.CostUsd;
        LatencyMs = record.LatencyMs;
        TtftMs = record.TimeToFirstTokenMs;
        Attempts = record.Attempts;
        Stream = record.Stream;
        CacheResult = record.CacheResult;
        CachedTokens = record.CachedTokens;
        CostSavedUsd = record.CostSavedUsd;
        CompressionTokensSaved = record.CompressionTokensSaved;
        Status = record.Status;
        ErrorCode = record.ErrorCode is { } errorCode ? shared.Share(Truncate(errorCode, 100)!) : null;
        Exchange = record.Exchange;
        Messages = null;
        HasStoredMessages = false;
    }

    /// <summary>A row read back from the spill file.</summary>
    public static UsageRow From(SpilledRecord spilled)
    {
        var u = spilled.Usage;
        var row = new UsageRow
        {
            Id = u.Id,
            OccurredAt = u.OccurredAt,
            Endpoint = u.Endpoint,
            KeyId = u.KeyId,
            UserId = u.UserId,
            TeamId = u.TeamId,
            EndUser = u.EndUser,
            RequestedModel = u.RequestedModel,
            ServedModel = u.ServedModel,
            Provider = u.Provider,
            Deployment = u.Deployment,
            InputTokens = u.InputTokens,
            OutputTokens = u.OutputTokens,
            CostUsd = Money.FromNano(u.CostNanoUsd),
            LatencyMs = u.LatencyMs,
            TtftMs = u.TtftMs,
            Attempts = u.Attempts,
            Stream = u.Stream,
            CacheResult = u.CacheResult,
            CachedTokens = u.CachedTokens,
            CostSavedUsd = Money.FromNano(u.CostSavedNanoUsd),
            CompressionTokensSaved = u.CompressionTokensSaved,
            Status = u.Status,
            ErrorCode = u.ErrorCode,
            Messages = spilled.Messages,
            HasStoredMessages = u.HasStoredMessages,
        };
        row.SetRequestId(u.RequestId);
        return row;
    }

    /// <summary>Encrypts the messages, if the row has some and messages are kept.</summary>
    public void Protect(MessageProtector? protector)
    {
        if (Exchange is { } exchange && protector is not null)
        {
            Messages = protector.Protect(Id, exchange);
            HasStoredMessages = true;
        }

        Exchange = null;
    }

    /// <summary>The row as the spill file keeps it: exactly the entities an insert would have written.</summary>
    public SpilledRecord ToSpilled() => new(
        new UsageEntity
        {
            Id = Id,
            OccurredAt = OccurredAt,
            RequestId = new string(RequestId),
            Endpoint = Endpoint,
            KeyId = KeyId,
            UserId = UserId,
            TeamId = TeamId,
            EndUser = EndUser,
            RequestedModel = RequestedModel,
            ServedModel = ServedModel,
            Provider = Provider,
            Deployment = Deployment,
            InputTokens = InputTokens,
            OutputTokens = OutputTokens,
            CostNanoUsd = CostNanoUsd,
            LatencyMs = LatencyMs,
            TtftMs = TtftMs,
            Attempts = Attempts,
            Stream = Stream,
            CacheResult = CacheResult,
            CachedTokens = CachedTokens,
            CostSavedNanoUsd = CostSavedNanoUsd,
            CompressionTokensSaved = CompressionTokensSaved,
            Status = Status,
            ErrorCode = ErrorCode,
            HasStoredMessages = HasStoredMessages,
        },
        Messages);

    /// <summary>Drops what only this request had (its messages), before the row goes back to the pool.</summary>
    public void Clear()
    {
        Exchange = null;
        Messages = null;
        EndUser = null;
    }

    private void SetRequestId(string requestId)
    {
        var length = Math.Min(requestId.Length, RequestIdLength);
        if (length > _requestId.Length)
        {
            _requestId = new char[RequestIdLength];
        }

        requestId.AsSpan(0, length).CopyTo(_requestId);
        _requestIdLength = length;
    }

    private static string? Truncate(string? value, int length) => value is { } v && v.Length > length ? v[..length] : value;
}
