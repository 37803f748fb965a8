namespace Switchboard.Mock.Server.Admin;

/// <summary>The answer of <c>GET /health</c>.</summary>
public sealed record HealthStatus(string Status, int Fixtures, long Generation, IReadOnlyList<string> Errors);
