namespace Switchboard.Mock.Server.Journal;

/// <summary>A fixture that almost matched a journaled request, and what differed.</summary>
public sealed record JournalNearMiss(string FixtureId, string FixtureName, string Source, double Score, IReadOnlyList<string> Differences);
