using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Caching.Configuration;
using Switchboard.Caching.Semantic;

namespace Switchboard.Caching;

/// <summary>
/// Loads the semantic entries kept in the store at start-up (so a restart keeps the cache) and picks up
/// those other replicas store every <c>cache.semantic.sync_interval</c>.
/// </summary>
public sealed partial class SemanticCacheSync(SemanticCache cache, IOptions<CacheOptions> options, TimeProvider timeProvider, ILogger<SemanticCacheSync> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Semantic.SyncInterval, timeProvider);
        do
        {
            try
            {
                await cache.SyncAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The store is down for a moment: the cache keeps answering from what it has and tries again.
                Log.SyncFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "semantic cache: could not read the store; retrying at the next sync")]
        public static partial void SyncFailed(ILogger logger, Exception exception);
    }
}
