using Microsoft.Extensions.Logging;

namespace Switchboard.Mock.Server.Http;

/// <summary>
/// Bounds the per-request log lines: up to <c>linesPerSecond</c> a second are written as requests come; the
/// requests past that are counted, and once a second one line says how many (and how many of them were misses)
/// went unlogged. A test suite's few requests a second are all logged; a load test does not spend its CPU on
/// the console (the journal, <c>/__admin/requests</c>, still records every request).
/// </summary>
internal sealed partial class RequestLogBudget : IDisposable
{
    private readonly int _linesPerSecond;
    private readonly ILogger _logger;
    private readonly ITimer? _timer;
    private int _used;
    private int _skipped;
    private int _skippedMisses;

    public RequestLogBudget(int linesPerSecond, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(time);
        _linesPerSecond = Math.Max(0, linesPerSecond);
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        if (_linesPerSecond < int.MaxValue)
        {
            _timer = time.CreateTimer(_ => NextSecond(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>Whether this request's line may be written now; when not, the request is counted for the summary.</summary>
    public bool TryTake(bool isMiss)
    {
        if (_linesPerSecond == int.MaxValue || Interlocked.Increment(ref _used) <= _linesPerSecond)
        {
            return true;
        }

        Interlocked.Increment(ref _skipped);
        if (isMiss)
        {
            Interlocked.Increment(ref _skippedMisses);
        }

        return false;
    }

    public void Dispose() => _timer?.Dispose();

    private void NextSecond()
    {
        Interlocked.Exchange(ref _used, 0);
        var skipped = Interlocked.Exchange(ref _skipped, 0);
        var misses = Interlocked.Exchange(ref _skippedMisses, 0);
        if (misses > 0)
        {
            Log.SkippedWithMisses(_logger, skipped, misses);
        }
        else if (skipped > 0)
        {
            Log.Skipped(_logger, skipped);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 26, Level = LogLevel.Information, Message = "... and {Count} more requests in the last second, not logged one by one (see /__admin/requests)")]
        public static partial void Skipped(ILogger logger, int count);

        [LoggerMessage(EventId = 27, Level = LogLevel.Warning, Message = "... and {Count} more requests in the last second, {Misses} of them misses, not logged one by one (see /__admin/requests)")]
        public static partial void SkippedWithMisses(ILogger logger, int count, int misses);
    }
}
