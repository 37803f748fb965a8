namespace Switchboard.Mock.Loading;

/// <summary>The outcome of one reload: how many fixtures are in force, and the files that were broken (and kept their last good fixtures).</summary>
public sealed record FixtureReload(long Generation, int FixtureCount, int FileCount, IReadOnlyList<FixtureLoadError> Errors);
