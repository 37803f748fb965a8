using Switchboard.OpenAI;

namespace Switchboard.Mock.Replies;

/// <summary>One step of a streamed mock answer: a chunk, a deliberately broken chunk, or a dropped connection.</summary>
public abstract record MockStreamEvent
{
    private MockStreamEvent()
    {
    }

    /// <summary>A well-formed chunk.</summary>
    public sealed record Chunk(ChatCompletionChunk Value) : MockStreamEvent;

    /// <summary>The data of an SSE event that is not valid JSON (fault injection).</summary>
    public sealed record Malformed(string Data) : MockStreamEvent;

    /// <summary>The connection is closed here without <c>[DONE]</c> (fault injection).</summary>
    public sealed record Drop : MockStreamEvent;
}
