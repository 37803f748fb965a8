namespace Switchboard.Data.Entities;

/// <summary>A row of <c>usage</c>: one request. Money is kept in nano-USD so sums are exact on every database.</summary>
public sealed class UsageEntity
{
    public Guid Id { get; set; }

    public DateTime OccurredAt { get; set; }

    public required string RequestId { get; set; }

    public required string Endpoint { get; set; }

    public string? KeyId { get; set; }

    public string? UserId { get; set; }

    public string? TeamId { get; set; }

    public string? EndUser { get; set; }

    public required string RequestedModel { get; set; }

    public string? ServedModel { get; set; }

    public string? Provider { get; set; }

    public string? Deployment { get; set; }

    public int InputTokens { get; set; }

    public int OutputTokens { get; set; }

    public long CostNanoUsd { get; set; }

    public double LatencyMs { get; set; }

    public double? TtftMs { get; set; }

    public int Attempts { get; set; }

    public bool Stream { get; set; }

    public string? CacheResult { get; set; }

    public int CachedTokens { get; set; }

    public long CostSavedNanoUsd { get; set; }

    /// <summary>Prompt tokens the compression stage removed (counted with the model's tokenizer).</summary>
    public int CompressionTokensSaved { get; set; }

    public int Status { get; set; }

    public string? ErrorCode { get; set; }

    /// <summary>True when <c>stored_messages</c> holds this request's messages.</summary>
    public bool HasStoredMessages { get; set; }
}
