namespace Switchboard.Caching.Entries;

/// <summary>
/// One stored answer: the upstream's own bytes of a whole completion (a streamed answer is stored as the
/// completion it accumulated to), with what a hit needs to report without parsing them.
/// </summary>
public sealed record CachedAnswer
{
    /// <summary>The completion JSON as the upstream sent it (or as accumulated from its stream).</summary>
    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>When the answer was stored.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The model (after routing) whose answer this is.</summary>
    public string Model { get; init; } = string.Empty;

    /// <summary>The provider that answered.</summary>
    public string Provider { get; init; } = string.Empty;

    public int PromptTokens { get; init; }

    public int CompletionTokens { get; init; }

    /// <summary>What the call cost when it was made, in USD: what a hit saves.</summary>
    public decimal CostUsd { get; init; }
}
