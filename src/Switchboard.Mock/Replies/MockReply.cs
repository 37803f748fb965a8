using Switchboard.Errors;
using Switchboard.OpenAI;

namespace Switchboard.Mock.Replies;

/// <summary>What the mock answers to one chat request, before it is written to a socket or handed to the gateway.</summary>
public abstract record MockReply
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    private MockReply()
    {
    }

    /// <summary>Extra answer headers from the fixture.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = NoHeaders;

    /// <summary>A whole completion.</summary>
    public sealed record Completion(ChatCompletionResponse Response) : MockReply
    {
        /// <summary>
        /// The bytes to answer with, when they are known in advance: a saved body, as saved. Empty when the
        /// completion was built for this request and is to be serialized.
        /// </summary>
        public ReadOnlyMemory<byte> Json { get; init; }
    }

    /// <summary>An OpenAI error answer (a miss, an injected status, a 429 with <c>Retry-After</c>).</summary>
    public sealed record Failure(GatewayError Error) : MockReply;

    /// <summary>A stream of events, paced as the fixture says.</summary>
    public sealed record Stream(IAsyncEnumerable<MockStreamEvent> Events) : MockReply
    {
        /// <summary>
        /// The whole event stream as bytes (every <c>data:</c> event and <c>[DONE]</c>), when it is the same every
        /// time: a saved completion that nothing paces or breaks. A server may send these instead of enumerating
        /// <see cref="Events"/>, which stand for the same events; empty otherwise.
        /// </summary>
        public ReadOnlyMemory<byte> Prepared { get; init; }

        /// <summary>
        /// True when the fixture breaks the stream off (<c>drop_after_chunks</c>): a server must know before it
        /// sends the headers, to end the connection so that the chunks already sent still arrive.
        /// </summary>
        public bool BreaksOff { get; init; }
    }

    /// <summary>The connection is closed without an answer (fault injection).</summary>
    public sealed record Dropped : MockReply;

    /// <summary>A 200 answer whose body is not valid JSON (fault injection).</summary>
    public sealed record Malformed(string Body) : MockReply;
}
