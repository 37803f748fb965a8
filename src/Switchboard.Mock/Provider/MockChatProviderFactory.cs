using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Switchboard.Mock.Fixtures;
using Switchboard.Mock.Loading;
using Switchboard.Pipeline;
using Switchboard.Providers;
using Switchboard.Tokens;

namespace Switchboard.Mock.Provider;

/// <summary>
/// Creates <c>type: mock</c> providers. With <c>fixtures:</c> (a file or folder, as for <c>switchboard mock</c>)
/// the provider answers from them and a miss is a 404 naming the closest fixtures; without, it is the
/// echo model (<c>mock-echo</c>), so the gateway works offline out of the box. With <c>watch: true</c> the
/// fixtures are reloaded when their files change, atomically, a broken file keeping its last good set.
/// </summary>
public sealed class MockChatProviderFactory(TimeProvider? time = null, ITokenCounter? tokens = null, ILoggerFactory? loggers = null) : IChatProviderFactory
{
    // The gateway calls Validate while checking its options and Create right after: the files Validate parsed are
    // kept here for the Create of the same provider and path, so that every file is parsed once. Create takes them out.
    private readonly ConcurrentDictionary<(string Provider, string Path), IReadOnlyDictionary<string, IReadOnlyList<Fixture>>> _validated = new();

    /// <summary>The value of <c>type:</c> for the built-in mock.</summary>
    public const string TypeName = "mock";

    /// <summary>The mock's own keys: <c>fixtures</c> (a file or folder, as for <c>switchboard mock</c>) and <c>watch</c> (reload on change).</summary>
    public static IReadOnlyCollection<string> Keys { get; } = ["fixtures", "watch"];

    public string Type => TypeName;

    public IReadOnlyCollection<string> SettingKeys => Keys;

    public IReadOnlyList<string> Validate(ProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!TryReadWatch(options, out var watch))
        {
            return [$"providers[{options.Name}].watch: '{options.Settings["watch"]}' is not true or false."];
        }

        if (Fixtures(options) is not { } path)
        {
            return watch ? [$"providers[{options.Name}].watch: needs fixtures to watch."] : [];
        }

        if (string.IsNullOrWhiteSpace(path))
        {
            return [$"providers[{options.Name}].fixtures: must be a file or folder path when set."];
        }

        try
        {
            _validated[(options.Name, path)] = FixtureLoader.LoadAll(path);
            return [];
        }
        catch (FixtureLoadException ex)
        {
            return [$"providers[{options.Name}].fixtures: {ex.Error}"];
        }
    }

    /// <summary>Creates the provider, loading its fixtures; a broken file throws <see cref="FixtureLoadException"/>.</summary>
    public IChatProvider Create(ProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var fixtures = Fixtures(options);
        var engine = new MockEngine(new MockEngineOptions { EchoWhenEmpty = fixtures is null }, tokens, time);
        FixtureWatcher? watcher = null;
        if (fixtures is { } path)
        {
            var files = _validated.TryRemove((options.Name, path), out var loaded) ? loaded : FixtureLoader.LoadAll(path);
            engine.SetAllFileFixtures(files);
            if (TryReadWatch(options, out var watch) && watch)
            {
                watcher = new FixtureWatcher(engine, path, loggers?.CreateLogger<FixtureWatcher>(), time);
                watcher.Adopt(files);
                watcher.Start();
                // The files were parsed during validation, before the watcher took their fingerprints: read them
                // once more so an edit made in between is not missed until the file changes again.
                watcher.Reload(force: true);
            }
        }

        return new MockChatProvider(options.Name, engine, watcher);
    }

    private static string? Fixtures(ProviderOptions options) => options.Settings.GetValueOrDefault("fixtures");

    private static bool TryReadWatch(ProviderOptions options, out bool watch)
    {
        watch = false;
        return options.Settings.GetValueOrDefault("watch") is not { } text || bool.TryParse(text, out watch);
    }
}
