using Switchboard.Errors;
using Switchboard.OpenAI;
using Switchboard.Streaming;

namespace Switchboard.Pipeline;

/// <summary>What a chat stage returns: a whole completion, a stream of chunks, or an expected failure.</summary>
public abstract record ChatResult
{
    private ChatResult()
    {
    }

    /// <summary>A whole completion, for a request without <c>stream: true</c>.</summary>
    public sealed record Completed(ChatCompletionResponse Response) : ChatResult;

    /// <summary>
    /// A stream whose upstream already answered with success. Enumerating it reads the upstream; a failure
    /// after that point surfaces as <see cref="ChatStreamException"/>. Events from an OpenAI-compatible
    /// upstream keep its bytes and are parsed only when a stage looks at <see cref="StreamedChunk.Chunk"/>.
    /// </summary>
    public sealed record Streaming(IAsyncEnumerable<StreamedChunk> Chunks) : ChatResult;

    /// <summary>A failure that becomes an OpenAI error answer.</summary>
    public sealed record Failed(GatewayError Error) : ChatResult;

    public static ChatResult From(GatewayError error) => new Failed(error);
}
