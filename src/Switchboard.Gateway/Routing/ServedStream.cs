using System.Runtime.CompilerServices;
using Switchboard.Gateway.Pipeline;
using Switchboard.Streaming;

namespace Switchboard.Gateway.Routing;

/// <summary>
/// The stream the router hands on: the chunks without content it held back, the upstream's first chunk with
/// content (already read, to be sure the stream started) and then the rest, as they come. On the way it notes the
/// last event that carried <c>usage</c> (known from the scan, without parsing) and, when the stream ends or is
/// abandoned, reads only that one event's counts into <see cref="GatewayContext.Usage"/>. Usage the gateway asked
/// for on its own (<see cref="GatewayContext.RequireUsage"/>) is held back from a client that did not ask for it: the
/// usage-only event is dropped, usage riding on a content chunk is taken off it. Hand-written rather than an
/// iterator: no state machine per chunk. When the pipeline hands it on as it is, it also completes the request
/// (<see cref="IRequestCompletingStream"/>).
/// </summary>
internal sealed class ServedStream : IAsyncEnumerable<StreamedChunk>, IAsyncEnumerator<StreamedChunk>, IRequestCompletingStream
{
    private readonly IAsyncEnumerator<StreamedChunk> _chunks;
    private readonly GatewayContext _context;
    private readonly List<StreamedChunk>? _held;
    private readonly bool _holdBackUsage;
    private int _nextHeld;
    private bool _pendingFirst;
    private bool _ended;
    private bool _enumerated;
    private bool _completesRequest;
    private bool _reachedEnd;
    private CancellationToken _cancellationToken;
    private StreamedChunk? _current;
    private StreamedChunk? _lastUsage;

    /// <param name="held">Chunks read before the first one with content, sent first; null when there were none.</param>
    /// <param name="chunks">The upstream's stream, positioned on its first chunk with content; owned (disposed) by this instance.</param>
    /// <param name="context">The request, which gets the usage.</param>
    public ServedStream(List<StreamedChunk>? held, IAsyncEnumerator<StreamedChunk> chunks, GatewayContext context)
    {
        _held = held;
        _chunks = chunks;
        _context = context;
        _holdBackUsage = context.RequireUsage && !context.ChatRequest.WantsStreamUsage;
        _pendingFirst = true;
        foreach (var chunk in held ?? [])
        {
            Note(chunk);
        }

        Note(chunks.Current);
    }

    public StreamedChunk Current => _current!;

    /// <summary>The stream was started with the request's token when the router read its first chunk; that token still governs it.</summary>
    public IAsyncEnumerator<StreamedChunk> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (_enumerated)
        {
            throw new InvalidOperationException("A chat stream can be enumerated only once.");
        }

        _enumerated = true;
        _cancellationToken = cancellationToken;
        return this;
    }

    /// <inheritdoc />
    public void CompleteRequest() => _completesRequest = true;

    public ValueTask<bool> MoveNextAsync()
    {
        while (_held is not null && _nextHeld < _held.Count)
        {
            if (Accept(_held[_nextHeld++]))
            {
                return new ValueTask<bool>(true);
            }
        }

        if (_pendingFirst)
        {
            _pendingFirst = false;
            if (Accept(_chunks.Current))
            {
                return new ValueTask<bool>(true);
            }
        }

        while (!_ended)
        {
            ValueTask<bool> next;
            try
            {
                next = _chunks.MoveNextAsync();
            }
            catch (Exception ex) when (Failed(ex))
            {
                throw; // Never reached: Failed notes the failure and lets it pass.
            }

            if (!next.IsCompletedSuccessfully)
            {
                return AwaitMoveAsync(next);
            }

            if (!next.Result)
            {
                _reachedEnd = true;
                End();
                break;
            }

            Note(_chunks.Current);
            if (Accept(_chunks.Current))
            {
                return new ValueTask<bool>(true);
            }
        }

        return new ValueTask<bool>(false);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _chunks.DisposeAsync();
        }
        finally
        {
            End();
            if (_completesRequest)
            {
                await StreamCompletion.CompleteAsync(_context, _reachedEnd);
            }
        }
    }

    // Pooled: a stream waits for its upstream between most chunks, and each wait would otherwise box a state machine.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> AwaitMoveAsync(ValueTask<bool> next)
    {
        try
        {
            while (await next)
            {
                Note(_chunks.Current);
                if (Accept(_chunks.Current))
                {
                    return true;
                }

                next = _chunks.MoveNextAsync();
            }
        }
        catch (Exception ex) when (Failed(ex))
        {
            throw; // Never reached: Failed notes the failure and lets it pass.
        }

        _reachedEnd = true;
        End();
        return false;
    }

    /// <summary>Notes a failure of the upstream's stream on the request when this stream completes it; always false.</summary>
    private bool Failed(Exception exception)
    {
        if (_completesRequest)
        {
            StreamCompletion.Note(_context, exception, _cancellationToken);
        }

        return false;
    }

    private void Note(StreamedChunk chunk)
    {
        if (chunk.HasUsage)
        {
            _lastUsage = chunk;
        }
    }

    /// <summary>Makes <paramref name="chunk"/> the current one, without the usage held back; false when nothing of it goes out.</summary>
    private bool Accept(StreamedChunk chunk)
    {
        if (_holdBackUsage && chunk.HasUsage)
        {
            if (chunk.IsUsageOnly)
            {
                return false;
            }

            chunk = WithoutUsage(chunk);
        }

        _current = chunk;
        return true;
    }

    private static StreamedChunk WithoutUsage(StreamedChunk chunk)
    {
        try
        {
            return StreamedChunk.From(chunk.Chunk with { Usage = null });
        }
        catch (Errors.ChatStreamException)
        {
            // Not a chunk that parses: forwarded as it came, for the writer to fail on as it would have.
            return chunk;
        }
    }

    private void End()
    {
        _ended = true;
        if (_lastUsage is { } last)
        {
            _lastUsage = null;
            // Only the counts are read, not the whole event; a usage event that does not read leaves the usage unknown
            // (the stream itself was fine).
            if (last.TryReadUsage(out var prompt, out var completion))
            {
                _context.Usage = new TokenUsage(prompt, completion);
            }
        }
    }
}
