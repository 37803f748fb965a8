using Switchboard.Conversations.Storage;

namespace Switchboard.Conversations.Tests;

/// <summary>The in-process queue of <see cref="ConversationLocks"/>.</summary>
public sealed class LockTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ASecondMessageWaitsUntilTheFirstIsDone()
    {
        var locks = new ConversationLocks(null, queueLimit: 4, TimeSpan.FromMinutes(1), TimeProvider.System);
        var first = await locks.AcquireAsync("room", Token);

        var second = locks.AcquireAsync("room", Token).AsTask();
        Assert.False(second.IsCompleted);
        await using (var other = await locks.AcquireAsync("other-room", Token))
        {
            Assert.NotNull(other);
        }

        await first!.DisposeAsync();
        await using var granted = await second;
        Assert.NotNull(granted);
    }

    [Fact]
    public async Task AFullQueueIsRefused()
    {
        var locks = new ConversationLocks(null, queueLimit: 1, TimeSpan.FromMinutes(1), TimeProvider.System);
        await using var holder = await locks.AcquireAsync("room", Token);
        var waiting = locks.AcquireAsync("room", Token).AsTask();

        Assert.Null(await locks.AcquireAsync("room", Token));

        await holder!.DisposeAsync();
        await using var next = await waiting;
        Assert.NotNull(next);
    }
}
