using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Data.Protection;
using Switchboard.Accounting;

namespace Switchboard.Data.Usage;

/// <summary>
/// Writes usage records in batches, off the request path. Requests only put a record in a bounded queue
/// (<see cref="TryEnqueue"/>, never waiting); one background loop takes batches and inserts them. When the
/// database fails or is slower than <c>database.write_timeout</c>, the batch goes to the append-only spill
/// file and the database is left alone for a growing pause; the first batch that gets through again triggers
/// a replay of the file. A full queue also spills, so memory stays flat whatever the load. On stop the queue
/// is drained into the database, and whatever the shutdown timeout leaves is spilled: no record is lost.
/// </summary>
public sealed partial class UsageWriter : BackgroundService, IUsageSink
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan GatherStep = TimeSpan.FromMilliseconds(20);

    private readonly SwitchboardDatabase _database;
    private readonly DatabaseOptions _options;
    private readonly MessageProtector? _protector;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RowQueue<UsageRow> _queue;
    private readonly UsageRowPool _pool = new();
    private readonly SharedStrings _shared = new(4096);
    private readonly SpillFile _spill;
    private readonly CancellationTokenSource _abort = new();

    private TimeSpan _pause = FirstPause;
    private DateTimeOffset _retryAt;
    private bool _down;
    private long _written;
    private long _spilled;
    private long _enqueued;
    private long _processed;
    private readonly TaskCompletionSource _stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _batchDone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public UsageWriter(SwitchboardDatabase database, MessageProtector? protector, TimeProvider timeProvider, ILogger<UsageWriter> logger)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _options = database.Options;
        _protector = protector;
        _time = timeProvider;
        _logger = logger;
        _queue = new RowQueue<UsageRow>(_options.QueueCapacity);
        _spill = new SpillFile(_options.SpillPath, logger);
    }

    /// <summary>Records in the database so far (this process).</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>
    /// Records sent to the spill file so far (this process), each once. Not how many are still waiting: a spilled
    /// record is counted in <see cref="Written"/> too once a replay inserts it, and a batch whose insert timed out
    /// or was cut short by the stop is spilled even if it committed (the replay finds it and skips it), so
    /// <see cref="Written"/> plus this can exceed the records there were.
    /// </summary>
    public long Spilled => Interlocked.Read(ref _spilled);

    /// <summary>The spill file's full path.</summary>
    public string SpillPath => _spill.Path;

    /// <summary>Records waiting in the queue.</summary>
    public int Queued => _queue.Count;

    /// <inheritdoc />
    public bool TryEnqueue(UsageRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Interlocked.Increment(ref _enqueued);
        // The record is copied into a reused row: the queue holds no object of the request's.
        var row = _pool.Rent();
        row.Fill(record, _shared);
        if (_queue.TryWrite(row))
        {
            return true;
        }

        Interlocked.Increment(ref _processed);

        // The queue is full (the database is slower than the traffic) or the writer has stopped: the record goes
        // to the file now, on this thread, rather than growing memory or being dropped.
        row.Protect(_protector);
        SpillNow([row.ToSpilled()]);
        _pool.Return(row);
        return false;
    }

    /// <summary>Completes when every record queued before the call has been written or spilled (for tests and tools).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var target = Interlocked.Read(ref _enqueued);
        while (Interlocked.Read(ref _processed) < target)
        {
            await Volatile.Read(ref _batchDone).Task.WaitAsync(cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<UsageRow>(_options.BatchSize);
        // The loop ends when the queue is completed (in StopAsync) and empty, not on stoppingToken: stopping drains.
        while (await WaitForRecordsAsync())
        {
            try
            {
                await GatherAsync();

                while (batch.Count < _options.BatchSize && _queue.TryRead(out var record))
                {
                    batch.Add(record);
                }

                await WriteAsync(batch);
                if (!_down && _spill.HasPending && !_abort.IsCancellationRequested)
                {
                    await ReplayAsync();
                }
            }
            finally
            {
                Interlocked.Add(ref _processed, batch.Count);
                foreach (var row in batch)
                {
                    _pool.Return(row);
                }

                batch.Clear();
                Interlocked.Exchange(ref _batchDone, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
        }
    }

    /// <summary>
    /// Lets a batch gather for up to <c>flush_interval</c> instead of paying a transaction for every few requests: a
    /// SQLite commit rewrites the last page of the table and of each index, so a row in a batch of a few thousand costs
    /// about a quarter less CPU than in a batch of 500 (docs/benchmarks.md). Looks at the queue every few milliseconds
    /// and stops waiting once a full batch (or half the queue) is there, so a burst never fills the queue meanwhile.
    /// </summary>
    private async Task GatherAsync()
    {
        if (_options.FlushInterval <= TimeSpan.Zero)
        {
            return;
        }

        var enough = Math.Min(_options.BatchSize, Math.Max(1, _options.QueueCapacity / 2));
        // Real time, not _time: a test's frozen clock must not hold batches back (as the wait always did).
        var started = Stopwatch.GetTimestamp();
        while (_queue.Count < enough && !_stopping.Task.IsCompleted)
        {
            var left = _options.FlushInterval - Stopwatch.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return;
            }

            await Task.WhenAny(_stopping.Task, Task.Delay(left < GatherStep ? left : GatherStep));
        }
    }

    /// <summary>
    /// Waits for records; while the spill file holds some, wakes up when the database is due to be tried again
    /// and replays them, so they reach the database even when no new request comes.
    /// </summary>
    private async Task<bool> WaitForRecordsAsync()
    {
        while (_spill.HasPending && !_abort.IsCancellationRequested)
        {
            var due = _down ? _retryAt - _time.GetUtcNow() : TimeSpan.Zero;
            if (due > TimeSpan.Zero)
            {
                using var wait = new CancellationTokenSource(due, _time);
                try
                {
                    return await _queue.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (wait.IsCancellationRequested)
                {
                    // Due: fall through to a replay attempt.
                }
            }
            else if (_queue.Count > 0)
            {
                return true;
            }

            await ReplayAsync();
        }

        return await _queue.WaitToReadAsync(CancellationToken.None);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Close();
        _stopping.TrySetResult();
        try
        {
            await (ExecuteTask ?? Task.CompletedTask).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Out of shutdown time: whatever is not in the database yet goes to the file.
            await _abort.CancelAsync();
            await (ExecuteTask ?? Task.CompletedTask);
        }

        Log.Stopped(_logger, Written, Spilled);
    }

    public override void Dispose()
    {
        _spill.Dispose();
        _abort.Dispose();
        base.Dispose();
    }

    private async Task WriteAsync(List<UsageRow> rows)
    {
        foreach (var row in rows)
        {
            row.Protect(_protector);
        }

        if (_abort.IsCancellationRequested || (_down && _time.GetUtcNow() < _retryAt))
        {
            SpillNow(ToSpilled(rows));
            return;
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
            timeout.CancelAfter(_options.WriteTimeout);
            await UsageInserter.InsertAsync(_database, rows, timeout.Token);
            Interlocked.Add(ref _written, rows.Count);
            Recovered();
        }
        catch (Exception ex)
        {
            // Any failure, not only the database's: a writer that threw would stop the host. Whether the insert committed or not is unknown after a timeout; the replay's check by id settles it.
            SpillNow(ToSpilled(rows));
            Failed(ex);
        }
    }

    private async Task ReplayAsync()
    {
        foreach (var file in _spill.TakeForReplay())
        {
            var replayed = 0;
            try
            {
                foreach (var chunk in _spill.Read(file).Chunk(_options.BatchSize))
                {
                    replayed += await InsertMissingAsync(chunk);
                }

                File.Delete(file);
                Log.Replayed(_logger, replayed, file);
                Recovered();
            }
            catch (Exception ex)
            {
                _spill.ReplayUnfinished();
                Failed(ex);
                return;
            }
        }
    }

    /// <summary>Inserts the records of <paramref name="chunk"/> the database does not have yet; returns how many.</summary>
    private async Task<int> InsertMissingAsync(SpilledRecord[] chunk)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        timeout.CancelAfter(_options.WriteTimeout);
        List<Guid> present;
        await using (var context = _database.CreateContext())
        {
            var ids = chunk.Select(r => r.Usage.Id).ToList();
            present = await UsageQueries.WithIds(context, !_database.IsPostgres, ids).Select(u => u.Id).ToListAsync(timeout.Token);
        }

        var known = present.ToHashSet();
        var missing = chunk.Where(r => !known.Contains(r.Usage.Id)).ToList();
        if (missing.Count > 0)
        {
            // The same fast insert as new batches: replaying an outage's rows must outpace the traffic that continues.
            await UsageInserter.InsertAsync(_database, missing.ConvertAll(UsageRow.From), timeout.Token);
        }

        Interlocked.Add(ref _written, missing.Count);
        return missing.Count;
    }

    private void SpillNow(List<SpilledRecord> rows)
    {
        try
        {
            _spill.Append(rows);
            Interlocked.Add(ref _spilled, rows.Count);
        }
        catch (IOException ex)
        {
            Log.SpillFailed(_logger, rows.Count, _spill.Path, ex.Message);
        }
        catch (UnauthorizedAccessException ex)
        {
            Log.SpillFailed(_logger, rows.Count, _spill.Path, ex.Message);
        }
    }

    private void Failed(Exception ex)
    {
        _database.ResetConnections();
        if (!_down)
        {
            // Once per outage, not per batch.
            Log.DatabaseDown(_logger, _spill.Path, ex.GetBaseException().Message);
            _down = true;
            _pause = FirstPause;
        }
        else
        {
            _pause = TimeSpan.FromTicks(Math.Min(_pause.Ticks * 2, LongestPause.Ticks));
        }

        _retryAt = _time.GetUtcNow() + _pause;
    }

    private void Recovered()
    {
        if (_down)
        {
            _down = false;
            _pause = FirstPause;
            Log.DatabaseBack(_logger);
        }
    }

    /// <summary>Rows as the spill file keeps them (only when they do not reach the database).</summary>
    private static List<SpilledRecord> ToSpilled(List<UsageRow> rows) => rows.ConvertAll(static row => row.ToSpilled());

    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "The database is not taking usage records; they go to {SpillPath} until it is back and are replayed then: {Problem}")]
        public static partial void DatabaseDown(ILogger logger, string spillPath, string problem);

        [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "The database takes usage records again")]
        public static partial void DatabaseBack(ILogger logger);

        [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "Replayed {Count} usage records from {File}")]
        public static partial void Replayed(ILogger logger, int count, string file);

        [LoggerMessage(EventId = 303, Level = LogLevel.Error, Message = "{Count} usage records could be written neither to the database nor to {SpillPath}: {Problem}")]
        public static partial void SpillFailed(ILogger logger, int count, string spillPath, string problem);

        [LoggerMessage(EventId = 304, Level = LogLevel.Information, Message = "Usage writer stopped: {Written} records written, {Spilled} spilled")]
        public static partial void Stopped(ILogger logger, long written, long spilled);
    }
}
