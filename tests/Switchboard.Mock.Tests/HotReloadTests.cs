using System.ClientModel;
using OpenAI.Chat;
using Switchboard.Mock.Loading;
using Switchboard.Mock.Testing;

namespace Switchboard.Mock.Tests;

/// <summary>--watch: changed, added, deleted and broken files, each awaited through the watcher's reload signal.</summary>
public sealed class HotReloadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ChangesAdditionsDeletionsAndBrokenFiles()
    {
        var folder = TestData.TempFolder();
        var first = Path.Combine(folder, "first.yaml");
        var second = Path.Combine(folder, "nested", "second.yml");
        await File.WriteAllTextAsync(first, "- match: { last_user: ping }\n  response: pong\n", Ct);
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixturesFrom(folder).Watch(), Ct);
        var watcher = mock.Watcher!;
        Assert.Equal("pong", await Ask(mock, "ping"));

        // Changed.
        await WhileReloading(watcher, mock, () => File.WriteAllText(first, "- match: { last_user: ping }\n  response: PONG v2\n"), m => Answers(m, "ping", "PONG v2"));
        Assert.Equal("PONG v2", await Ask(mock, "ping"));

        // Added, in a sub-folder.
        Directory.CreateDirectory(Path.GetDirectoryName(second)!);
        await WhileReloading(watcher, mock, () => File.WriteAllText(second, "- name: added\n  match: { last_user: new }\n  response: fresh\n"), m => m.Engine.Fixtures.Find("added") is not null);
        Assert.Equal("fresh", await Ask(mock, "new"));

        // Deleted.
        await WhileReloading(watcher, mock, () => File.Delete(second), m => m.Engine.Fixtures.Find("added") is null);
        var gone = await Assert.ThrowsAsync<ClientResultException>(() => Ask(mock, "new"));
        Assert.Equal(404, gone.Status);

        // Broken: the last good fixtures of the file stay, and the error names file and line.
        var reload = await WhileReloading(watcher, mock, () => File.WriteAllText(first, "- match: { last_user: ping }\n  respnse: oops\n"), _ => watcher.Errors.Count > 0);
        var error = Assert.Single(reload.Errors);
        Assert.Equal(first, error.File);
        Assert.Equal(2, error.Line);
        Assert.Contains("unknown key 'respnse'", error.Problem, StringComparison.Ordinal);
        Assert.Equal("PONG v2", await Ask(mock, "ping"));

        // Fixed again.
        await WhileReloading(watcher, mock, () => File.WriteAllText(first, "- match: { last_user: ping }\n  response: fixed\n"), m => Answers(m, "ping", "fixed"));
        Assert.Empty(watcher.Errors);
    }

    [Fact]
    public async Task ASingleWatchedFile()
    {
        var folder = TestData.TempFolder();
        var file = Path.Combine(folder, "only.yaml");
        await File.WriteAllTextAsync(file, "- match: { last_user: a }\n  response: one\n", Ct);
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixturesFrom(file).Watch(), Ct);
        await WhileReloading(mock.Watcher!, mock, () => File.WriteAllText(file, "- match: { last_user: a }\n  response: two\n"), m => Answers(m, "a", "two"));
        Assert.Equal("two", await Ask(mock, "a"));
    }

    private static bool Answers(MockLlmServer mock, string user, string content) =>
        mock.Engine.Fixtures.Fixtures.Any(f => f.Matchers.Count == 1 && f.Matchers[0].Describe().Contains($"'{user}'", StringComparison.Ordinal) && f.Responses[0].Content == content);

    /// <summary>Runs a file change and waits for the reload that makes <paramref name="done"/> true (a guard of 15 s, not a timing assertion).</summary>
    private static async Task<FixtureReload> WhileReloading(FixtureWatcher watcher, MockLlmServer mock, Action change, Func<MockLlmServer, bool> done)
    {
        var reloaded = new TaskCompletionSource<FixtureReload>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnReloaded(object? sender, FixtureReload reload)
        {
            if (done(mock))
            {
                reloaded.TrySetResult(reload);
            }
        }

        watcher.Reloaded += OnReloaded;
        try
        {
            change();
            return await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(15), Ct);
        }
        finally
        {
            watcher.Reloaded -= OnReloaded;
        }
    }

    private static Task<string> Ask(MockLlmServer mock, string user) => TestData.AskAsync(mock, user, Ct);
}
