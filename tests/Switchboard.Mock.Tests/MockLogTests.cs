using System.Text;
using Microsoft.Extensions.Logging;
using Switchboard.Mock.Loading;
using Switchboard.Mock.Testing;
using Switchboard.Testing;
using Switchboard.Tokens;

namespace Switchboard.Mock.Tests;

/// <summary>What the mock tells its user in the log: enough to find the file and line, and each thing once.</summary>
public sealed class MockLogTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheTieWarningNamesBothFilesAndLines()
    {
        var folder = TestData.TempFolder();
        await File.WriteAllTextAsync(Path.Combine(folder, "a.yaml"), "- name: greeting\n  match: { last_user: hi }\n  response: from a\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(folder, "b.yaml"), "# the same fixture, copied\n- name: greeting\n  match: { last_user: hi }\n  response: from b\n", Ct);
        var logs = new LogCapture();
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixturesFrom(folder).WithLogging(l => l.AddProvider(logs)), Ct);

        Assert.Equal("from a", await TestData.AskAsync(mock, "hi", Ct));

        var warning = Assert.Single(logs.AtLeast(LogLevel.Warning));
        Assert.Contains("'greeting' (a.yaml:1)", warning.Message, StringComparison.Ordinal);
        Assert.Contains("'greeting' (b.yaml:2)", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneSaveLogsOneReload()
    {
        var folder = TestData.TempFolder();
        var file = Path.Combine(folder, "a.yaml");
        await File.WriteAllTextAsync(file, "- match: { last_user: hi }\n  response: one\n", Ct);
        var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(l => l.AddProvider(logs));
        var engine = new MockEngine(new MockEngineOptions(), TiktokenTokenCounter.Instance, TimeProvider.System);
        using var watcher = new FixtureWatcher(engine, folder, loggers.CreateLogger<FixtureWatcher>());
        watcher.LoadInitial();

        await File.WriteAllTextAsync(file, "- match: { last_user: hi }\n  response: two\n", Encoding.UTF8, Ct);
        // The poll sees the new size and reloads; the change notification of the same save arrives after it.
        Assert.NotNull(watcher.Reload(force: false));
        Assert.Null(watcher.ReloadIfChanged());

        Assert.Single(logs.Entries, e => e.Message.StartsWith("Reloaded fixtures", StringComparison.Ordinal));
        Assert.Equal("two", engine.Fixtures.Fixtures.Single().Responses[0].Content);
    }
}
