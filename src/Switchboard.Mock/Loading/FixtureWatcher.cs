using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Mock.Fixtures;

namespace Switchboard.Mock.Loading;

/// <summary>
/// Keeps an engine's file fixtures in step with a file or folder: edits, additions and deletions take effect
/// within a second. Each reload is atomic (the whole set is swapped at once), and a broken file keeps its
/// last good fixtures while its file, line and problem are logged. Change notifications trigger a reload
/// after a short debounce; a poll of file sizes and times backs them up where notifications do not arrive
/// (some container mounts).
/// </summary>
public sealed partial class FixtureWatcher : IDisposable
{
    private static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(500);

    private readonly MockEngine _engine;
    private readonly string _path;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _debounce;
    private readonly TimeSpan _poll;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, IReadOnlyList<Fixture>> _lastGood = new(StringComparer.Ordinal);
    private Dictionary<string, (long Length, DateTime Written)> _fingerprints = new(StringComparer.Ordinal);
    private Dictionary<string, string> _contents = new(StringComparer.Ordinal);
    private FileSystemWatcher? _watcher;
    private ITimer? _debounceTimer;
    private ITimer? _pollTimer;
    private bool _disposed;

    public FixtureWatcher(MockEngine engine, string path, ILogger<FixtureWatcher>? logger = null, TimeProvider? time = null, TimeSpan? debounce = null, TimeSpan? poll = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _engine = engine;
        _path = Path.GetFullPath(path);
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _debounce = debounce ?? DefaultDebounce;
        _poll = poll ?? DefaultPoll;
    }

    /// <summary>The problems of the last reload; empty when every file was good.</summary>
    public IReadOnlyList<FixtureLoadError> Errors { get; private set; } = [];

    /// <summary>Raised after every reload, good or not.</summary>
    public event EventHandler<FixtureReload>? Reloaded;

    /// <summary>Loads every file into the engine; throws <see cref="FixtureLoadException"/> on the first broken one (start-up).</summary>
    public void LoadInitial() => Adopt(FixtureLoader.LoadAll(_path), apply: true);

    /// <summary>Takes files already loaded (and already in the engine unless <paramref name="apply"/>) as the last good state.</summary>
    public void Adopt(IReadOnlyDictionary<string, IReadOnlyList<Fixture>> files, bool apply = false)
    {
        ArgumentNullException.ThrowIfNull(files);
        lock (_gate)
        {
            _fingerprints = Fingerprint();
            _contents = ContentHashes(_fingerprints.Keys);
            _lastGood.Clear();
            foreach (var (file, fixtures) in files)
            {
                _lastGood[file] = fixtures;
            }

            if (apply)
            {
                _engine.SetAllFileFixtures(files);
            }
        }
    }

    /// <summary>Starts watching: notifications plus a poll.</summary>
    public void Start()
    {
        var directory = Directory.Exists(_path) ? _path : Path.GetDirectoryName(_path)!;
        _debounceTimer = _time.CreateTimer(_ => ReloadIfChanged(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _pollTimer = _time.CreateTimer(_ => Reload(force: false), null, _poll, _poll);
        try
        {
            _watcher = new FileSystemWatcher(directory)
            {
                IncludeSubdirectories = Directory.Exists(_path),
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.DirectoryName,
            };
            _watcher.Changed += OnChange;
            _watcher.Created += OnChange;
            _watcher.Deleted += OnChange;
            _watcher.Renamed += OnChange;
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException)
        {
            // Out of inotify instances, or a file system without notifications: the poll still works.
            Log.NotificationsUnavailable(_logger, directory, ex.Message);
        }

        Log.Watching(_logger, _path);
    }

    /// <summary>Reads the files again now. With <paramref name="force"/> false, only when a file's size or time changed.</summary>
    public FixtureReload? Reload(bool force = true) => Reload(force, onlyNewContent: false);

    private FixtureReload? Reload(bool force, bool onlyNewContent)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return null;
            }

            Dictionary<string, (long, DateTime)> fingerprints;
            try
            {
                fingerprints = Fingerprint();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Log.ReloadFailed(_logger, _path, ex.Message);
                return null;
            }

            if (!force && SameFingerprints(fingerprints))
            {
                return null;
            }

            _fingerprints = fingerprints;
            if (!File.Exists(_path) && !Directory.Exists(_path))
            {
                // Forgotten, so that the file coming back reloads even with the content it had.
                _contents = new(StringComparer.Ordinal);
                return Missing();
            }

            var contents = ContentHashes(fingerprints.Keys);
            if (onlyNewContent && SameContents(contents))
            {
                return null;
            }

            _contents = contents;
            var errors = new List<FixtureLoadError>();
            var files = new Dictionary<string, IReadOnlyList<Fixture>>(StringComparer.Ordinal);
            foreach (var file in fingerprints.Keys)
            {
                try
                {
                    files[file] = _lastGood[file] = FixtureLoader.LoadFile(file);
                }
                catch (FixtureLoadException ex)
                {
                    errors.Add(ex.Error);
                    Log.BrokenFile(_logger, ex.Error.ToString());
                    if (_lastGood.TryGetValue(file, out var previous))
                    {
                        files[file] = previous;
                    }
                }
            }

            foreach (var gone in _lastGood.Keys.Where(k => !fingerprints.ContainsKey(k)).ToList())
            {
                _lastGood.Remove(gone);
            }

            _engine.SetAllFileFixtures(files);
            Errors = errors;
            var reload = new FixtureReload(_engine.Generation, _engine.Fixtures.Count, files.Count, errors);
            Log.Reloaded(_logger, reload.FixtureCount, reload.FileCount, errors.Count);
            Reloaded?.Invoke(this, reload);
            return reload;
        }
    }

    /// <summary>
    /// What a change notification does: reads the files again unless their content is what was last loaded.
    /// One save can bring several notifications, the poll may have loaded it already, and the recorder
    /// reloads what it writes itself: each of those would otherwise reload (and log) the same files again.
    /// </summary>
    public FixtureReload? ReloadIfChanged() => Reload(force: true, onlyNewContent: true);

    /// <summary>
    /// The watched file or folder itself is gone: deleted by mistake, or an editor or deployment replacing it. Every
    /// fixture of the last good set stays in force and health says "degraded" until it is back.
    /// </summary>
    private FixtureReload Missing()
    {
        var error = new FixtureLoadError(_path, 0, "is missing; the last good fixtures stay in force until it is back.");
        if (Errors is not [var previous] || previous != error)
        {
            Log.PathMissing(_logger, _path, _engine.Fixtures.Count);
        }

        Errors = [error];
        var reload = new FixtureReload(_engine.Generation, _engine.Fixtures.Count, _lastGood.Count, Errors);
        Reloaded?.Invoke(this, reload);
        return reload;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        _watcher?.Dispose();
        _debounceTimer?.Dispose();
        _pollTimer?.Dispose();
    }

    private void OnChange(object sender, FileSystemEventArgs e)
    {
        if (FixtureLoader.IsFixtureFile(e.FullPath) || e is RenamedEventArgs renamed && FixtureLoader.IsFixtureFile(renamed.OldFullPath) || Directory.Exists(e.FullPath))
        {
            _debounceTimer?.Change(_debounce, Timeout.InfiniteTimeSpan);
        }
    }

    private Dictionary<string, (long Length, DateTime Written)> Fingerprint()
    {
        var result = new Dictionary<string, (long, DateTime)>(StringComparer.Ordinal);
        if (!File.Exists(_path) && !Directory.Exists(_path))
        {
            return result;
        }

        foreach (var file in FixtureLoader.FindFiles(_path))
        {
            var info = new FileInfo(file);
            if (info.Exists)
            {
                result[file] = (info.Length, info.LastWriteTimeUtc);
            }
        }

        return result;
    }

    /// <summary>A hash of each file's bytes; a file that cannot be read gets none, so it never counts as unchanged.</summary>
    private static Dictionary<string, string> ContentHashes(IEnumerable<string> files)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            try
            {
                using var stream = File.OpenRead(file);
                result[file] = Convert.ToHexString(SHA256.HashData(stream));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Loading it will report the problem.
            }
        }

        return result;
    }

    private bool SameContents(Dictionary<string, string> contents) =>
        contents.Count == _contents.Count
        && _fingerprints.Count == contents.Count
        && contents.All(c => _contents.TryGetValue(c.Key, out var old) && old == c.Value);

    private bool SameFingerprints(Dictionary<string, (long, DateTime)> fingerprints) =>
        fingerprints.Count == _fingerprints.Count
        && fingerprints.All(f => _fingerprints.TryGetValue(f.Key, out var old) && old == f.Value);

    private static partial class Log
    {
        [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Watching {Path} for fixture changes")]
        public static partial void Watching(ILogger logger, string path);

        [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Reloaded fixtures: {Fixtures} fixtures from {Files} files, {Errors} broken")]
        public static partial void Reloaded(ILogger logger, int fixtures, int files, int errors);

        [LoggerMessage(EventId = 12, Level = LogLevel.Error, Message = "{Error} (keeping the last good fixtures of this file)")]
        public static partial void BrokenFile(ILogger logger, string error);

        [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Cannot read {Path}: {Reason}")]
        public static partial void ReloadFailed(ILogger logger, string path, string reason);

        [LoggerMessage(EventId = 15, Level = LogLevel.Warning, Message = "{Path} is missing; keeping its last good {Fixtures} fixtures until it is back")]
        public static partial void PathMissing(ILogger logger, string path, int fixtures);

        [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "File notifications are unavailable for {Path} ({Reason}); polling for changes instead")]
        public static partial void NotificationsUnavailable(ILogger logger, string path, string reason);
    }
}
