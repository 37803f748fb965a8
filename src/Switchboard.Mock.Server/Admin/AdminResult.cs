namespace Switchboard.Mock.Server.Admin;

/// <summary>The answer of an admin action: what it did, in a sentence, and how many fixtures are in force.</summary>
public sealed record AdminResult(string Message, int Fixtures, IReadOnlyList<FixtureInfo>? Added = null);
