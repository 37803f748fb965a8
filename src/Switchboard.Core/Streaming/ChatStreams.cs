using Switchboard.Errors;
using Switchboard.OpenAI;

namespace Switchboard.Streaming;

/// <summary>
/// Helpers for stages and callers that look at or change a chat stream. Each keeps the upstream's bytes and
/// never parses a chunk itself: <see cref="StreamedChunk.Chunk"/> parses when the caller's code asks for it. The
/// wrappers are hand-written enumerators (no state machine per chunk when the next one is already there) and,
/// like every chat stream, are enumerated once.
/// </summary>
public static class ChatStreams
{
    /// <summary>
    /// The same stream, with <paramref name="observer"/> told of each chunk as it passes and of the end (completed,
    /// failed, or abandoned by the reader).
    /// </summary>
    public static IAsyncEnumerable<StreamedChunk> Observe(this IAsyncEnumerable<StreamedChunk> chunks, IChunkObserver observer)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentNullException.ThrowIfNull(observer);
        return new ObservedStream(chunks, observer);
    }

    /// <summary>
    /// The stream with each chunk replaced by <paramref name="map"/>'s result; null drops the chunk. Pass a static
    /// lambda and <paramref name="state"/> to avoid a closure per stream. A replaced chunk built with
    /// <see cref="StreamedChunk.From"/> is serialized when written; returning the same chunk keeps its bytes.
    /// </summary>
    public static IAsyncEnumerable<StreamedChunk> Map<TState>(this IAsyncEnumerable<StreamedChunk> chunks, TState state, Func<TState, StreamedChunk, StreamedChunk?> map)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentNullException.ThrowIfNull(map);
        return new MappedStream<TState>(chunks, state, map);
    }

    /// <summary>Reads a whole stream into the completion it amounts to (see <see cref="ChatCompletionAccumulator"/>); a failed stream throws <see cref="ChatStreamException"/>.</summary>
    public static async ValueTask<ChatCompletionResponse> AccumulateAsync(IAsyncEnumerable<StreamedChunk> chunks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var accumulator = new ChatCompletionAccumulator();
        await foreach (var chunk in chunks.WithCancellation(cancellationToken))
        {
            accumulator.Add(chunk);
        }

        return accumulator.ToCompletion();
    }

    /// <summary>
    /// A whole completion as the well-formed stream it would have been: one chunk per choice (role, content, refusal,
    /// tool calls with their indexes, the message's other fields, finish reason), then, when <paramref name="includeUsage"/> and the completion
    /// has usage, the usage event with no choices. For a cache hit on a streaming request, or an upstream that
    /// ignored <c>stream: true</c>. The chunks are built, so they are serialized when written.
    /// </summary>
    public static IAsyncEnumerable<StreamedChunk> Replay(ChatCompletionResponse completion, bool includeUsage)
    {
        ArgumentNullException.ThrowIfNull(completion);
        var chunks = new List<StreamedChunk>(completion.Choices.Count + 1);
        foreach (var choice in completion.Choices)
        {
            var message = choice.Message;
            List<ToolCall>? toolCalls = null;
            if (message.ToolCalls is { Count: > 0 } calls)
            {
                toolCalls = new List<ToolCall>(calls.Count);
                for (var i = 0; i < calls.Count; i++)
                {
                    toolCalls.Add(calls[i] with { Index = i });
                }
            }

            chunks.Add(StreamedChunk.From(new ChatCompletionChunk
            {
                Id = completion.Id,
                Created = completion.Created,
                Model = completion.Model,
                SystemFingerprint = completion.SystemFingerprint,
                Choices =
                [
                    new ChunkChoice
                    {
                        Index = choice.Index,
                        Delta = new ChatDelta
                        {
                            Role = message.Role ?? ChatRoles.Assistant,
                            Content = message.Content?.Text,
                            ToolCalls = toolCalls,
                            Refusal = message.Refusal,
                            // Fields of the message the wire types do not name (reasoning_content) travel in the
                            // delta, where a streaming upstream sends them.
                            AdditionalProperties = message.AdditionalProperties,
                        },
                        FinishReason = choice.FinishReason,
                    },
                ],
            }));
        }

        if (includeUsage && completion.Usage is { } usage)
        {
            chunks.Add(StreamedChunk.From(new ChatCompletionChunk { Id = completion.Id, Created = completion.Created, Model = completion.Model, Choices = [], Usage = usage }));
        }

        return chunks.ToAsyncEnumerable();
    }

    /// <summary>
    /// Stored events (each one event's JSON, as <see cref="StreamedChunk.Json"/> held it) as a stream again, forwarded
    /// as their bytes. A usage-only event is left out unless <paramref name="includeUsage"/>; an event that is not a
    /// chunk throws <see cref="ChatStreamException"/> when reached, as it would have from an upstream.
    /// </summary>
    public static IAsyncEnumerable<StreamedChunk> Replay(IEnumerable<ReadOnlyMemory<byte>> events, bool includeUsage)
    {
        ArgumentNullException.ThrowIfNull(events);
        return ReplayEvents(events, includeUsage).ToAsyncEnumerable();
    }

    private static IEnumerable<StreamedChunk> ReplayEvents(IEnumerable<ReadOnlyMemory<byte>> events, bool includeUsage)
    {
        foreach (var data in events)
        {
            var chunk = SseChunkReader.ReadEvent(data.Span);
            if (includeUsage || !chunk.IsUsageOnly)
            {
                yield return chunk;
            }
        }
    }

    private sealed class ObservedStream(IAsyncEnumerable<StreamedChunk> source, IChunkObserver observer)
        : IAsyncEnumerable<StreamedChunk>, IAsyncEnumerator<StreamedChunk>
    {
        private IAsyncEnumerator<StreamedChunk>? _inner;
        private StreamEnd _end = StreamEnd.Abandoned;
        private GatewayError? _error;

        public StreamedChunk Current => _inner!.Current;

        public IAsyncEnumerator<StreamedChunk> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            if (_inner is not null)
            {
                throw new InvalidOperationException("A chat stream can be enumerated only once.");
            }

            _inner = source.GetAsyncEnumerator(cancellationToken);
            return this;
        }

        public ValueTask<bool> MoveNextAsync()
        {
            ValueTask<bool> next;
            try
            {
                next = _inner!.MoveNextAsync();
            }
            catch (ChatStreamException ex)
            {
                Failed(ex);
                throw;
            }

            return next.IsCompletedSuccessfully ? new ValueTask<bool>(Moved(next.Result)) : AwaitAsync(next);
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (_inner is not null)
                {
                    await _inner.DisposeAsync();
                }
            }
            finally
            {
                observer.OnEnd(_end, _error);
            }
        }

        private async ValueTask<bool> AwaitAsync(ValueTask<bool> next)
        {
            try
            {
                return Moved(await next);
            }
            catch (ChatStreamException ex)
            {
                Failed(ex);
                throw;
            }
        }

        private bool Moved(bool more)
        {
            if (more)
            {
                observer.OnChunk(_inner!.Current);
            }
            else
            {
                _end = StreamEnd.Completed;
            }

            return more;
        }

        private void Failed(ChatStreamException exception)
        {
            _end = StreamEnd.Failed;
            _error = exception.Error;
        }
    }

    private sealed class MappedStream<TState>(IAsyncEnumerable<StreamedChunk> source, TState state, Func<TState, StreamedChunk, StreamedChunk?> map)
        : IAsyncEnumerable<StreamedChunk>, IAsyncEnumerator<StreamedChunk>
    {
        private IAsyncEnumerator<StreamedChunk>? _inner;
        private StreamedChunk? _current;

        public StreamedChunk Current => _current!;

        public IAsyncEnumerator<StreamedChunk> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            if (_inner is not null)
            {
                throw new InvalidOperationException("A chat stream can be enumerated only once.");
            }

            _inner = source.GetAsyncEnumerator(cancellationToken);
            return this;
        }

        public ValueTask<bool> MoveNextAsync()
        {
            while (true)
            {
                var next = _inner!.MoveNextAsync();
                if (!next.IsCompletedSuccessfully)
                {
                    return AwaitAsync(next);
                }

                if (!next.Result)
                {
                    return new ValueTask<bool>(false);
                }

                if (Apply())
                {
                    return new ValueTask<bool>(true);
                }
            }
        }

        public ValueTask DisposeAsync() => _inner?.DisposeAsync() ?? ValueTask.CompletedTask;

        private async ValueTask<bool> AwaitAsync(ValueTask<bool> next)
        {
            while (await next)
            {
                if (Apply())
                {
                    return true;
                }

                next = _inner!.MoveNextAsync();
            }

            return false;
        }

        private bool Apply()
        {
            _current = map(state, _inner!.Current);
            return _current is not null;
        }
    }
}
