namespace Switchboard.Mock.Fixtures;

/// <summary>A tool call a fixture answers with: the function name, its arguments as JSON text, and an optional id.</summary>
public sealed record FixtureToolCall(string Name, string Arguments, string? Id = null);
