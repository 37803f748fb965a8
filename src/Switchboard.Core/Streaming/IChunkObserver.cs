using Switchboard.Errors;

namespace Switchboard.Streaming;

/// <summary>
/// Watches a chunk stream without changing it (<see cref="ChatStreams.Observe"/>). One instance per stream: it may
/// keep per-stream state (an accumulator, a counter). Called on the thread that reads the stream, one call at a time.
/// </summary>
public interface IChunkObserver
{
    /// <summary>One chunk on its way to the reader. <see cref="StreamedChunk.Chunk"/> parses it: touch it only when needed.</summary>
    void OnChunk(StreamedChunk chunk);

    /// <summary>The stream ended (called once, when the reader disposes it); <paramref name="error"/> is set for <see cref="StreamEnd.Failed"/>.</summary>
    void OnEnd(StreamEnd end, GatewayError? error);
}
