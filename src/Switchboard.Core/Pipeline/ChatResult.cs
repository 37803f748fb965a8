using Switchboard.Errors;
using Switchboard.OpenAI;

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
    /// after that point surfaces as <see cref="ChatStreamException"/>.
    /// </summary>
    public sealed record Streaming(IAsyncEnumerable<ChatCompletionChunk> Chunks) : ChatResult;

    /// <summary>A failure that becomes an OpenAI error answer.</summary>
    public sealed record Failed(GatewayError Error) : ChatResult;

    public static ChatResult From(GatewayError error) => new Failed(error);
}
