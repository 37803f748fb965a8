using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Switchboard.Data.Usage;

/// <summary>
/// The append-only local file usage records go to while the database cannot take them. Lines are JSON
/// <see cref="SpilledRecord"/>s. To replay, the file is renamed aside (new records start a fresh file) and read
/// back; a renamed file is deleted only once every line is in the database, so a crash mid-replay replays it
/// again, and the writer's idempotent insert (by record id) keeps that from doubling rows.
/// </summary>
internal sealed partial class SpillFile : IDisposable
{
    private const string ReplaySuffix = ".replay-";

    private readonly string _path;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private FileStream? _append;

    public SpillFile(string path, ILogger logger)
    {
        _path = System.IO.Path.GetFullPath(path);
        _logger = logger;
        HasPending = File.Exists(_path) || ReplayFiles().Length > 0;
    }

    public string Path => _path;

    /// <summary>True when there may be lines to replay.</summary>
    public bool HasPending { get; private set; }

    /// <summary>Appends records and flushes them to the operating system (they survive the process dying).</summary>
    public void Append(IReadOnlyList<SpilledRecord> records)
    {
        if (records.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            if (_append is null)
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(_path)!);
                _append = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read, 64 * 1024);
            }

            using (var writer = new Utf8JsonWriter(_append, new JsonWriterOptions { SkipValidation = true }))
            {
                foreach (var record in records)
                {
                    JsonSerializer.Serialize(writer, record, DataJsonContext.Default.SpilledRecord);
                    writer.Flush();
                    writer.Reset();
                    _append.WriteByte((byte)'\n');
                }
            }

            _append.Flush();
            HasPending = true;
        }

        Log.Spilled(_logger, records.Count, _path);
    }

    /// <summary>Moves the current file aside for replay and returns every file waiting to be replayed, oldest first.</summary>
    public string[] TakeForReplay()
    {
        lock (_gate)
        {
            _append?.Dispose();
            _append = null;
            if (File.Exists(_path))
            {
                File.Move(_path, _path + ReplaySuffix + DateTime.UtcNow.Ticks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture));
            }

            HasPending = false;
            return ReplayFiles();
        }
    }

    /// <summary>Marks that a replay did not finish, so it is tried again.</summary>
    public void ReplayUnfinished()
    {
        lock (_gate)
        {
            HasPending = true;
        }
    }

    /// <summary>Reads a replay file's records; a torn last line (the process died mid-write) is skipped and logged.</summary>
    public IEnumerable<SpilledRecord> Read(string file)
    {
        foreach (var line in File.ReadLines(file))
        {
            if (line.Length == 0)
            {
                continue;
            }

            SpilledRecord? record = null;
            try
            {
                record = JsonSerializer.Deserialize(line, DataJsonContext.Default.SpilledRecord);
            }
            catch (JsonException ex)
            {
                Log.BadLine(_logger, file, ex.Message);
            }

            if (record is not null)
            {
                yield return record;
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _append?.Dispose();
            _append = null;
        }
    }

    private string[] ReplayFiles()
    {
        var folder = System.IO.Path.GetDirectoryName(_path)!;
        return Directory.Exists(folder)
            ? [.. Directory.GetFiles(folder, System.IO.Path.GetFileName(_path) + ReplaySuffix + "*").Order(StringComparer.Ordinal)]
            : [];
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 310, Level = LogLevel.Debug, Message = "{Count} usage records written to the spill file {Path}")]
        public static partial void Spilled(ILogger logger, int count, string path);

        [LoggerMessage(EventId = 311, Level = LogLevel.Warning, Message = "Skipped an unreadable line of the usage spill file {Path}: {Problem}")]
        public static partial void BadLine(ILogger logger, string path, string problem);
    }
}
