using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Conversations.Configuration;
using Switchboard.Conversations.Storage;

namespace Switchboard.Conversations;

/// <summary>
/// Deletes conversations idle past <c>conversations.idle_timeout</c>, a few times per timeout. A conversation is also
/// treated as gone the moment it expires (reads say 404, a new message starts it afresh), so the sweep only frees space.
/// </summary>
public sealed partial class IdleConversationSweeper(
    ConversationStore store,
    IOptions<ConversationsOptions> options,
    TimeProvider timeProvider,
    ILogger<IdleConversationSweeper> logger) : BackgroundService
{
    private static readonly TimeSpan LongestInterval = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var timeout = options.Value.IdleTimeout;
        var interval = TimeSpan.FromTicks(Math.Min(LongestInterval.Ticks, Math.Max(TimeSpan.FromSeconds(1).Ticks, timeout.Ticks / 4)));
        using var timer = new PeriodicTimer(interval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var deleted = await store.DeleteIdleAsync(timeProvider.GetUtcNow() - timeout, stoppingToken);
                    if (deleted > 0)
                    {
                        Log.Swept(logger, deleted);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.SweepFailed(logger, ex.GetBaseException().Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1111, Level = LogLevel.Information, Message = "Deleted {Count} conversations idle past conversations.idle_timeout")]
        public static partial void Swept(ILogger logger, int count);

        [LoggerMessage(EventId = 1112, Level = LogLevel.Warning, Message = "Could not delete idle conversations ({Reason}); trying again later")]
        public static partial void SweepFailed(ILogger logger, string reason);
    }
}
