using Switchboard.Gateway.Pipeline;
using Switchboard.Streaming;

namespace Switchboard.Gateway.Routing;

/// <summary>
/// The stream the router hands on: the chunks without content it held back, the upstream's first chunk with
/// content (already read, to be sure the stream started) and then the rest, as they come. On the way it notes the last event that carried <c>usage</c> (known from the
/// scan, without parsing) and, when the stream ends or is abandoned, parses only that one event into
/// <see cref="GatewayContext.Usage"/>. Hand-written rather than an iterator: no state machine per chunk.
/// </summary>
internal sealed class ServedStream : IAsyncEnumerable<StreamedChunk>, IAsyncEnumerator<StreamedChunk>
{
    private readonly IAsyncEnumerator<StreamedChunk> _chunks;
    private readonly GatewayContext _context;
    private readonly List<StreamedChunk>? _held;
    private int _nextHeld;
    private StreamedChunk? _replayed;
    private bool _pendingFirst;
    private bool _ended;
    private bool _enumerated;
    private StreamedChunk? _lastUsage;

    /// <param name="held">Chunks read before the first one with content, sent first; null when there were none.</param>
    /// <param name="chunks">The upstream's stream, positioned on its first chunk with content; owned (disposed) by this instance.</param>
    /// <param name="context">The request, which gets the usage.</param>
    public ServedStream(List<StreamedChunk>? held, IAsyncEnumerator<StreamedChunk> chunks, GatewayContext context)
    {
        _held = held;
        _chunks = chunks;
        _context = context;
        _pendingFirst = true;
        foreach (var chunk in held ?? [])
        {
            Note(chunk);
        }

        Note(chunks.Current);
    }

    public StreamedChunk Current => _replayed ?? _chunks.Current;

    /// <summary>The stream was started with the request's token when the router read its first chunk; that token still governs it.</summary>
    public IAsyncEnumerator<StreamedChunk> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (_enumerated)
        {
            throw new InvalidOperationException("A chat stream can be enumerated only once.");
        }

        _enumerated = true;
        return this;
    }

    public ValueTask<bool> MoveNextAsync()
    {
        if (_held is not null && _nextHeld < _held.Count)
        {
            _replayed = _held[_nextHeld++];
            return new ValueTask<bool>(true);
        }

        _replayed = null;
        if (_pendingFirst)
        {
            _pendingFirst = false;
            return new ValueTask<bool>(true);
        }

        if (_ended)
        {
            return new ValueTask<bool>(false);
        }

        var next = _chunks.MoveNextAsync();
        if (next.IsCompletedSuccessfully)
        {
            return new ValueTask<bool>(OnMoved(next.Result));
        }

        return AwaitMoveAsync(next);
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
        }
    }

    private async ValueTask<bool> AwaitMoveAsync(ValueTask<bool> next) => OnMoved(await next);

    private bool OnMoved(bool more)
    {
        if (more)
        {
            Note(_chunks.Current);
        }
        else
        {
            End();
        }

        return more;
    }

    private void Note(StreamedChunk chunk)
    {
        if (chunk.HasUsage)
        {
            _lastUsage = chunk;
        }
    }

    private void End()
    {
        _ended = true;
        if (_lastUsage is { } last)
        {
            _lastUsage = null;
            try
            {
                if (last.Chunk.Usage is { } usage)
                {
                    _context.Usage = TokenUsage.From(usage);
                }
            }
            catch (Errors.ChatStreamException)
            {
                // A usage event whose fields have the wrong types: the usage stays unknown, the stream was fine.
            }
        }
    }
}
