namespace Switchboard.Accounting;

/// <summary>
/// One request as the usage table keeps it. Built by the usage stage once the answer is complete (after the
/// last event of a stream), handed to <see cref="IUsageSink"/>. <see cref="Id"/> is unique per record and
/// makes replaying the spill file idempotent; <see cref="RequestId"/> is the request id the client saw.
/// </summary>
public sealed record UsageRecord
{
    private readonly Guid _id;
    private readonly DateTimeOffset _timestamp;

    /// <summary>
    /// Unique per record; the primary key. Unless set, a version 7 GUID of <see cref="Timestamp"/>'s millisecond, made
    /// when the timestamp is set (once: a copy made with <c>with</c> keeps it), so that on SQLite the primary key's
    /// index is also the index of arrival times that ranged queries search (<c>UsageQueries</c>).
    /// </summary>
    public Guid Id { get => _id; init => _id = value; }

    /// <summary>When the request arrived.</summary>
    public required DateTimeOffset Timestamp
    {
        get => _timestamp;
        init
        {
            _timestamp = value;
            if (_id == Guid.Empty)
            {
                _id = TimeOrderedIds.NewVersion7(value);
            }
        }
    }

    /// <summary>The <c>x-request-id</c> answered to the client (the client's own when it sent one).</summary>
    public required string RequestId { get; init; }

    /// <summary><c>chat</c> or <c>embeddings</c>.</summary>
    public string Endpoint { get; init; } = "chat";

    public string? KeyId { get; init; }

    /// <summary>The key owner's user.</summary>
    public string? User { get; init; }

    public string? Team { get; init; }

    /// <summary>The end user inside the key (OpenAI <c>user</c> field or <c>x-switchboard-user</c>).</summary>
    public string? EndUser { get; init; }

    /// <summary>The model the client asked for.</summary>
    public required string RequestedModel { get; init; }

    /// <summary>The upstream model that answered (<c>x-switchboard-model</c>), null when none did.</summary>
    public string? ServedModel { get; init; }

    public string? Provider { get; init; }

    /// <summary>The deployment that answered (<c>provider/model</c>).</summary>
    public string? Deployment { get; init; }

    public int InputTokens { get; init; }

    public int OutputTokens { get; init; }

    /// <summary>What the request cost in USD (deployment prices × tokens).</summary>
    public decimal CostUsd { get; init; }

    /// <summary>Arrival to last byte.</summary>
    public double LatencyMs { get; init; }

    /// <summary>Arrival to the first streamed event; null for whole answers.</summary>
    public double? TimeToFirstTokenMs { get; init; }

    /// <summary>Upstream calls made (retries and fallbacks included).</summary>
    public int Attempts { get; init; }

    public bool Stream { get; init; }

    /// <summary><c>hit</c>, <c>semantic</c>, <c>miss</c> or <c>bypass</c> (filled by the cache stage).</summary>
    public string? CacheResult { get; init; }

    /// <summary>Tokens a cache hit saved.</summary>
    public int CachedTokens { get; init; }

    /// <summary>USD a cache hit saved.</summary>
    public decimal CostSavedUsd { get; init; }

    /// <summary>Prompt tokens the compression stage removed before the request went upstream (0 when it did not run).</summary>
    public int CompressionTokensSaved { get; init; }

    /// <summary>The HTTP status the client got (200 for a stream that started, even if it broke later; see <see cref="ErrorCode"/>).</summary>
    public int Status { get; init; }

    /// <summary>The OpenAI error <c>code</c> when the request failed (also for a stream that broke off).</summary>
    public string? ErrorCode { get; init; }

    /// <summary>The messages and answer, kept only with <c>database.store_messages: true</c>.</summary>
    public StoredExchange? Exchange { get; init; }
}
