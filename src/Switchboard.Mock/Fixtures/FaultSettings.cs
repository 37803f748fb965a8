namespace Switchboard.Mock.Fixtures;

/// <summary>
/// Faults a fixture injects on top of its answer. Socket-level faults (a dropped connection, a malformed
/// chunk) become a 502 error in provider mode, where there is no socket.
/// </summary>
public sealed record FaultSettings
{
    /// <summary>Close the connection without answering.</summary>
    public bool DropConnection { get; init; }

    /// <summary>Streaming: close the connection after this many content chunks.</summary>
    public int? DropAfterChunks { get; init; }

    /// <summary>Streaming: the n-th chunk (1-based) is sent as broken JSON. Not streaming: the body is broken JSON.</summary>
    public int? MalformedChunk { get; init; }

    public bool IsEmpty => !DropConnection && DropAfterChunks is null && MalformedChunk is null;
}
