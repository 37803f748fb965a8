using System.Text;
using Switchboard.Mock.Server.Journal;

namespace Switchboard.Mock.Testing;

/// <summary>What the mock received, for assertions: every request with the fixture that answered or the near misses.</summary>
public sealed class MockJournal
{
    private readonly RequestJournal _journal;

    internal MockJournal(RequestJournal journal) => _journal = journal;

    /// <summary>The requests so far, oldest first.</summary>
    public IReadOnlyList<JournalEntry> Entries => _journal.Snapshot();

    /// <summary>The requests a fixture answered.</summary>
    public IReadOnlyList<JournalEntry> Matched => [.. Entries.Where(e => e.FixtureId is not null)];

    /// <summary>The requests no fixture answered.</summary>
    public IReadOnlyList<JournalEntry> Misses => [.. Entries.Where(e => e.Outcome is "miss" or "invalid" || (e.Outcome == "ambiguous" && e.FixtureId is null))];

    /// <summary>The names of the fixtures that answered, in order.</summary>
    public IReadOnlyList<string> FixtureNames => [.. Matched.Select(e => e.FixtureName!)];

    public void Clear() => _journal.Clear();

    /// <summary>Waits until a request that satisfies <paramref name="predicate"/> is (or was) journaled.</summary>
    public async Task<JournalEntry> WaitForAsync(Func<JournalEntry, bool> predicate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var found = new TaskCompletionSource<JournalEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnAdded(object? sender, JournalEntry entry)
        {
            if (predicate(entry))
            {
                found.TrySetResult(entry);
            }
        }

        _journal.Added += OnAdded;
        try
        {
            if (_journal.Snapshot().FirstOrDefault(predicate) is { } existing)
            {
                return existing;
            }

            return await found.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            _journal.Added -= OnAdded;
        }
    }

    /// <summary>Throws <see cref="MockAssertionException"/> listing every miss with its near misses, when there is one.</summary>
    public void AssertNoMisses()
    {
        var misses = Misses;
        if (misses.Count == 0)
        {
            return;
        }

        var message = new StringBuilder().Append(misses.Count).Append(" request(s) matched no fixture:");
        foreach (var miss in misses)
        {
            message.Append("\n- #").Append(miss.Sequence).Append(' ').Append(miss.Path).Append(": ").Append(miss.Error);
        }

        throw new MockAssertionException(message.ToString());
    }

    /// <summary>Throws <see cref="MockAssertionException"/> unless the fixtures answered in exactly this order.</summary>
    public void AssertAnsweredBy(params string[] fixtureNames)
    {
        ArgumentNullException.ThrowIfNull(fixtureNames);
        var actual = Entries.Select(e => e.FixtureName ?? $"<{e.Outcome}>").ToList();
        if (!actual.SequenceEqual(fixtureNames))
        {
            throw new MockAssertionException($"Expected the fixtures [{string.Join(", ", fixtureNames)}] to answer, but the journal shows [{string.Join(", ", actual)}].");
        }
    }
}
