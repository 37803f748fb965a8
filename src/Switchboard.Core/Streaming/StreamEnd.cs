namespace Switchboard.Streaming;

/// <summary>How a chunk stream ended, as an <see cref="IChunkObserver"/> hears it.</summary>
public enum StreamEnd
{
    /// <summary>Every chunk was read.</summary>
    Completed,

    /// <summary>The stream failed after it started (<see cref="Errors.ChatStreamException"/>).</summary>
    Failed,

    /// <summary>The reader stopped before the end: the client went away, or an in-process reader stopped reading.</summary>
    Abandoned,
}
