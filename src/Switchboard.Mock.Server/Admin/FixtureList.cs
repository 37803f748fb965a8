namespace Switchboard.Mock.Server.Admin;

/// <summary>The answer of <c>GET /__admin/fixtures</c>.</summary>
public sealed record FixtureList(int Count, long Generation, IReadOnlyList<FixtureInfo> Fixtures, IReadOnlyList<string> Errors);
