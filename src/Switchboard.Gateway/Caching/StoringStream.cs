using Switchboard.Errors;
using Switchboard.Gateway.Pipeline;
using Switchboard.Streaming;

namespace Switchboard.Gateway.Caching;

/// <summary>
/// Passes a streamed miss on chunk by chunk while accumulating the answer, and stores it once the upstream's last
/// chunk has come and before the reader hears the stream ended (so the client's <c>[DONE]</c> means the next
/// identical request is a hit). A stream that fails, is abandoned by its reader, or whose answer is not complete
/// is not stored. Hand-written: no state machine per chunk when the next one is already there.
/// </summary>
internal sealed class StoringStream(IAsyncEnumerable<StreamedChunk> source, ResponseCache cache, CachePlan plan, GatewayContext context)
    : IAsyncEnumerable<StreamedChunk>, IAsyncEnumerator<StreamedChunk>
{
    private readonly ChatCompletionAccumulator _accumulator = new();
    private IAsyncEnumerator<StreamedChunk>? _inner;
    private CancellationToken _cancellationToken;
    private bool _unreadable;

    public StreamedChunk Current => _inner!.Current;

    public IAsyncEnumerator<StreamedChunk> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (_inner is not null)
        {
            throw new InvalidOperationException("A chat stream can be enumerated only once.");
        }

        _cancellationToken = cancellationToken;
        _inner = source.GetAsyncEnumerator(cancellationToken);
        return this;
    }

    public ValueTask<bool> MoveNextAsync()
    {
        var next = _inner!.MoveNextAsync();
        if (!next.IsCompletedSuccessfully)
        {
            return AwaitAsync(next);
        }

        if (next.Result)
        {
            Add(_inner.Current);
            return new ValueTask<bool>(true);
        }

        return EndAsync();
    }

    public ValueTask DisposeAsync() => _inner?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async ValueTask<bool> AwaitAsync(ValueTask<bool> next)
    {
        if (await next)
        {
            Add(_inner!.Current);
            return true;
        }

        return await EndAsync();
    }

    private async ValueTask<bool> EndAsync()
    {
        if (_unreadable)
        {
            cache.Statistics.NotStoredAnswer();
        }
        else
        {
            await cache.StoreStreamAsync(plan, context, _accumulator, _cancellationToken);
        }

        return false;
    }

    private void Add(StreamedChunk chunk)
    {
        if (_unreadable)
        {
            return;
        }

        try
        {
            _accumulator.Add(chunk);
        }
        catch (ChatStreamException)
        {
            // A chunk the gateway cannot read is still the client's to have; the answer is just not kept.
            _unreadable = true;
        }
    }
}
