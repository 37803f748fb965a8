using Switchboard.Errors;
using Switchboard.OpenAI;
using Switchboard.Streaming;

namespace Switchboard.Pipeline;

/// <summary>What a chat call returns: a whole completion, a stream of chunks, or an expected failure.</summary>
public abstract record ChatResult : GatewayResult
{
    private ChatResult()
    {
    }

    /// <summary>A whole completion, for a request without <c>stream: true</c>.</summary>
    public sealed record Completed : ChatResult
    {
        /// <summary>A completion Switchboard built or changed; it is serialized when written.</summary>
        public Completed(ChatCompletionResponse response) => Response = response ?? throw new ArgumentNullException(nameof(response));

        /// <summary>An upstream's answer, parsed (<paramref name="response"/>) and as it came (<paramref name="utf8Json"/>).</summary>
        public Completed(ChatCompletionResponse response, ReadOnlyMemory<byte> utf8Json)
            : this(response) => Json = utf8Json;

        /// <summary>The completion. Setting it (<c>with { Response = ... }</c>) drops <see cref="Json"/>, which no longer matches.</summary>
        public ChatCompletionResponse Response
        {
            get;
            init
            {
                field = value;
                Json = default;
            }
        }

        /// <summary>
        /// The upstream's own bytes for <see cref="Response"/>, written to the client as they came (every field
        /// and <c>null</c> it sent); empty when Switchboard built or changed the response.
        /// </summary>
        public ReadOnlyMemory<byte> Json { get; private init; }

        /// <inheritdoc />
        public override GatewayError? Error => null;
    }

    /// <summary>
    /// A stream whose upstream already answered with success. Enumerating it reads the upstream; a failure
    /// after that point surfaces as <see cref="ChatStreamException"/>. Events from an OpenAI-compatible
    /// upstream keep its bytes and are parsed only when a stage looks at <see cref="StreamedChunk.Chunk"/>.
    /// A stream is enumerated once.
    /// </summary>
    public sealed record Streaming(IAsyncEnumerable<StreamedChunk> Chunks) : ChatResult
    {
        /// <inheritdoc />
        public override GatewayError? Error => null;
    }

    /// <summary>A failure that becomes an OpenAI error answer.</summary>
    public sealed record Failed : ChatResult
    {
        /// <summary>A failure with <paramref name="error"/>.</summary>
        public Failed(GatewayError error) => Error = error ?? throw new ArgumentNullException(nameof(error));

        /// <inheritdoc />
        public override GatewayError Error { get; }
    }

    /// <summary>A failed chat result.</summary>
    public static ChatResult From(GatewayError error) => new Failed(error);
}
