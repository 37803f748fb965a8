namespace Switchboard.Mock.Fixtures;

/// <summary>How a streamed answer is paced: tokens per chunk, time to the first token, tokens per second.</summary>
public sealed record StreamSettings
{
    /// <summary>The default: one token per chunk, sent as fast as possible.</summary>
    public static StreamSettings Default { get; } = new();

    /// <summary>Tokens (o200k_base) per content chunk; at least 1.</summary>
    public int ChunkSize { get; init; } = 1;

    /// <summary>Wait before the first chunk.</summary>
    public TimeSpan TimeToFirstToken { get; init; }

    /// <summary>Pace of the content chunks after the first; null or 0 sends them without waiting.</summary>
    public double? TokensPerSecond { get; init; }
}
