namespace Switchboard.Testing;

/// <summary>What came back for one raw request: an answer, a closed connection, or nothing in time.</summary>
public sealed record RawResponse
{
    public required RawOutcome Outcome { get; init; }

    /// <summary>The final (non-1xx) status; 0 without an answer.</summary>
    public int Status { get; init; }

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public byte[] Body { get; init; } = [];

    public string? ContentType => Headers.TryGetValue("content-type", out var value) ? value : null;

    public override string ToString() => Outcome == RawOutcome.Answered
        ? $"{Status} {ContentType} {System.Text.Encoding.UTF8.GetString(Body.AsSpan(0, Math.Min(Body.Length, 300)))}"
        : Outcome.ToString();
}

/// <summary>How an exchange ended.</summary>
public enum RawOutcome
{
    /// <summary>A complete HTTP answer was read.</summary>
    Answered,

    /// <summary>The server closed (or reset) the connection without a complete answer.</summary>
    Closed,

    /// <summary>Nothing complete arrived before the case's timeout.</summary>
    TimedOut,
}
