using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Switchboard.Data.Usage;

/// <summary>
/// The usage writer's queue: every request thread puts rows in, the writer's one loop takes them out. Bounded (a
/// row that finds it full, or closed, is refused and the caller spills it) and without a lock on either side: a
/// bounded channel takes a lock for every write and every read, so request threads queued behind the writer while it
/// drained a batch row by row. Here a request pays one atomic count and a lock-free enqueue, and wakes the writer only
/// when the writer waits for work.
/// </summary>
internal sealed class RowQueue<T>(int capacity)
    where T : class
{
    // Added to the count when the queue closes: every later write sees a count of zero or less and is refused, while
    // the rows accepted before (some perhaps not enqueued yet) remain countable in the low bits.
    private const int Closed = int.MinValue;

    private readonly ConcurrentQueue<T> _items = new();
    private readonly SemaphoreSlim _signal = new(0);
    private int _count;
    private int _waiting;
    private int _closed;

    /// <summary>Rows accepted and not read yet.</summary>
    public int Count => Volatile.Read(ref _count) & int.MaxValue;

    /// <summary>Queues <paramref name="item"/>; false when the queue is full or closed.</summary>
    public bool TryWrite(T item)
    {
        var count = Interlocked.Increment(ref _count);
        if (count <= 0 || count > capacity)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }

        _items.Enqueue(item);
        if (Volatile.Read(ref _waiting) != 0 && Interlocked.Exchange(ref _waiting, 0) != 0)
        {
            _signal.Release();
        }

        return true;
    }

    /// <summary>Takes the oldest row; false when none is there.</summary>
    public bool TryRead([MaybeNullWhen(false)] out T item)
    {
        if (!_items.TryDequeue(out item))
        {
            return false;
        }

        Interlocked.Decrement(ref _count);
        return true;
    }

    /// <summary>Refuses every later write; the reader still gets every row accepted before.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            Interlocked.Add(ref _count, Closed);
            _signal.Release();
        }
    }

    /// <summary>True once a row can be read; false once the queue is closed and every row accepted was read.</summary>
    public async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!_items.IsEmpty)
            {
                return true;
            }

            if (Volatile.Read(ref _closed) != 0)
            {
                if (Count == 0)
                {
                    return false;
                }

                // A write accepted before the close has not enqueued its row yet: it is a few instructions away.
                await Task.Yield();
                continue;
            }

            // Say so before the last look: a writer that enqueues after that look sees the flag and wakes this loop.
            Interlocked.Exchange(ref _waiting, 1);
            if (!_items.IsEmpty || Volatile.Read(ref _closed) != 0)
            {
                Interlocked.Exchange(ref _waiting, 0);
                continue;
            }

            try
            {
                // A permit left by an earlier round only makes this loop look again.
                await _signal.WaitAsync(cancellationToken);
            }
            finally
            {
                Interlocked.Exchange(ref _waiting, 0);
            }
        }
    }
}
