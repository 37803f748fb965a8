using System.Collections.Concurrent;

namespace Switchboard.Client.Tests.Infrastructure;

/// <summary>
/// A UI thread in miniature: one thread runs everything posted to its context, and while that thread is blocked
/// nothing posted runs. Code that blocks on a task whose continuation was posted here deadlocks, as in WinForms/WPF.
/// </summary>
public sealed class SingleThreadedSynchronizationContext : SynchronizationContext, IDisposable
{
    private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = [];

    public override void Post(SendOrPostCallback d, object? state) => _queue.Add((d, state));

    public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException("Send is not used in these tests.");

    /// <summary>Runs <paramref name="work"/> on a new thread under this context, pumping posted callbacks until it ends.</summary>
    public static Task<T> RunAsync<T>(Func<T> work)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            using var context = new SingleThreadedSynchronizationContext();
            SetSynchronizationContext(context);
            context.Post(_ =>
            {
                try
                {
                    result.TrySetResult(work());
                }
                catch (Exception e)
                {
                    result.TrySetException(e);
                }
                finally
                {
                    context._queue.CompleteAdding();
                }
            }, null);

            foreach (var (callback, state) in context._queue.GetConsumingEnumerable())
            {
                callback(state);
            }
        })
        { IsBackground = true, Name = "single-threaded context" };
        thread.Start();
        return result.Task;
    }

    public void Dispose() => _queue.Dispose();
}
