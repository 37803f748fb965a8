using System.Runtime.CompilerServices;
using Switchboard.Streaming;

namespace Switchboard.Gateway.Pipeline;

/// <summary>
/// Wraps the stream the pipeline returns when a stage registered completion callbacks: notes how the stream
/// ended (a mid-stream failure in <see cref="GatewayContext.Error"/>, a client that went away in
/// <see cref="GatewayContext.Aborted"/>) and completes the request when the stream is disposed, after its last
/// chunk went out. Hand-written: no state machine per chunk when the next one is already there.
/// </summary>
internal sealed class CompletingStream(IAsyncEnumerable<StreamedChunk> source, GatewayContext context)
    : IAsyncEnumerable<StreamedChunk>, IAsyncEnumerator<StreamedChunk>
{
    private IAsyncEnumerator<StreamedChunk>? _inner;
    private CancellationToken _cancellationToken;
    private bool _finished;

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
        ValueTask<bool> next;
        try
        {
            next = _inner!.MoveNextAsync();
        }
        catch (Exception ex)
        {
            Note(ex);
            throw;
        }

        if (next.IsCompletedSuccessfully)
        {
            _finished = !next.Result;
            return next;
        }

        return AwaitAsync(next);
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
            await StreamCompletion.CompleteAsync(context, _finished);
        }
    }

    // Pooled: a stream waits for its upstream between most chunks, and each wait would otherwise box a state machine.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> AwaitAsync(ValueTask<bool> next)
    {
        try
        {
            var more = await next;
            _finished = !more;
            return more;
        }
        catch (Exception ex)
        {
            Note(ex);
            throw;
        }
    }

    private void Note(Exception exception) => StreamCompletion.Note(context, exception, _cancellationToken);
}
