using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Caching.Configuration;
using Switchboard.Caching.Embeddings;
using Switchboard.Caching.Semantic;

namespace Switchboard.Caching;

/// <summary>
/// Loads the semantic entries kept in the store before the gateway starts serving (so a restarted replica
/// answers from the cache at once), then picks up those other replicas store every
/// <c>cache.semantic.sync_interval</c>. The built-in embedder's model is loaded in the background right after
/// start, so the first request does not pay for it.
/// </summary>
public sealed partial class SemanticCacheSync(SemanticCache cache, IOptions<CacheOptions> options, TimeProvider timeProvider, ILogger<SemanticCacheSync> logger) : BackgroundService
{
    /// <inheritdoc />
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await SyncOnceAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A routed embedder is an upstream call that may cost money or fail: only the built-in model is warmed up.
        if (cache.Embedder is not IRoutedEmbedder)
        {
            try
            {
                await Task.Run(() => cache.Embedder.EmbedAsync("warm up", stoppingToken).AsTask(), stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.WarmUpFailed(logger, ex);
            }
        }

        using var timer = new PeriodicTimer(options.Value.Semantic.SyncInterval, timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await SyncOnceAsync(stoppingToken);
        }
    }

    private async Task SyncOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            await cache.SyncAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The store is down for a moment: the cache keeps answering from what it has and tries again.
            Log.SyncFailed(logger, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "semantic cache: could not read the store; retrying at the next sync")]
        public static partial void SyncFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "semantic cache: the embedder could not be warmed up; the first request will try again")]
        public static partial void WarmUpFailed(ILogger logger, Exception exception);
    }
}
