using System.Collections.Concurrent;

namespace Switchboard.Client.Tests.Infrastructure;

/// <summary>
/// The system clock, except that every timer shorter than <see cref="Threshold"/> fires at once and its due time is
/// recorded: a test sees how long a retry would have waited without waiting for it.
/// </summary>
public sealed class RecordingTimeProvider : TimeProvider
{
    public static readonly TimeSpan Threshold = TimeSpan.FromMinutes(5);

    /// <summary>The due times of the timers that were cut short, in order.</summary>
    public ConcurrentQueue<TimeSpan> Waits { get; } = new();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime > TimeSpan.Zero && dueTime < Threshold)
        {
            Waits.Enqueue(dueTime);
            dueTime = TimeSpan.Zero;
        }

        return base.CreateTimer(callback, state, dueTime, period);
    }
}
