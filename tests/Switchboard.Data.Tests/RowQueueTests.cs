using Switchboard.Data.Usage;

namespace Switchboard.Data.Tests;

/// <summary>The usage writer's lock-free queue: bounded, nothing lost across a close, the reader woken by a write.</summary>
public sealed class RowQueueTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void RefusesRowsPastItsCapacityAndTakesThemAgainOnceRead()
    {
        var queue = new RowQueue<string>(2);

        Assert.True(queue.TryWrite("a"));
        Assert.True(queue.TryWrite("b"));
        Assert.False(queue.TryWrite("c"));
        Assert.Equal(2, queue.Count);

        Assert.True(queue.TryRead(out var first));
        Assert.Equal("a", first);
        Assert.True(queue.TryWrite("d"));
        Assert.True(queue.TryRead(out var second));
        Assert.True(queue.TryRead(out var third));
        Assert.Equal(["b", "d"], [second, third]);
        Assert.False(queue.TryRead(out _));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task AfterCloseRefusesWritesAndHandsOverEveryRowAcceptedBefore()
    {
        var queue = new RowQueue<string>(10);
        Assert.True(queue.TryWrite("a"));
        Assert.True(queue.TryWrite("b"));

        queue.Close();

        Assert.False(queue.TryWrite("c"));
        Assert.Equal(2, queue.Count);
        var read = new List<string>();
        while (await queue.WaitToReadAsync(Ct))
        {
            while (queue.TryRead(out var row))
            {
                read.Add(row);
            }
        }

        Assert.Equal(["a", "b"], read);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task AWriteWakesAWaitingReader()
    {
        var queue = new RowQueue<string>(10);
        var waiting = queue.WaitToReadAsync(Ct).AsTask();
        Assert.False(waiting.IsCompleted);

        Assert.True(queue.TryWrite("a"));

        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        Assert.True(queue.TryRead(out var row));
        Assert.Equal("a", row);
    }

    [Fact]
    public async Task CloseEndsAWaitingReader()
    {
        var queue = new RowQueue<string>(10);
        var waiting = queue.WaitToReadAsync(Ct).AsTask();

        queue.Close();

        Assert.False(await waiting.WaitAsync(TimeSpan.FromSeconds(30), Ct));
    }

    [Fact]
    public async Task AWaitEndsWithItsToken()
    {
        var queue = new RowQueue<string>(10);
        using var cancel = new CancellationTokenSource();
        var waiting = queue.WaitToReadAsync(cancel.Token).AsTask();

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.True(queue.TryWrite("a"));
        Assert.True(await queue.WaitToReadAsync(Ct));
    }

    [Fact]
    public async Task ManyWritersOneReaderNothingLostNothingDoubled()
    {
        const int writers = 4;
        const int perWriter = 50_000;
        var queue = new RowQueue<string>(1_000);
        var refused = 0;
        var read = new List<string>(writers * perWriter);
        var reader = Task.Run(async () =>
        {
            while (await queue.WaitToReadAsync(Ct))
            {
                while (queue.TryRead(out var row))
                {
                    read.Add(row);
                }
            }
        }, Ct);

        var producers = Enumerable.Range(0, writers).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < perWriter; i++)
            {
                if (!queue.TryWrite($"{w}:{i}"))
                {
                    Interlocked.Increment(ref refused);
                }
            }
        }, Ct)).ToArray();
        await Task.WhenAll(producers);
        queue.Close();
        await reader.WaitAsync(TimeSpan.FromMinutes(2), Ct);

        Assert.Equal(writers * perWriter, read.Count + refused);
        Assert.Equal(read.Count, read.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(0, queue.Count);
    }
}
