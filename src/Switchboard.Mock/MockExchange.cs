using Switchboard.Mock.Fixtures;
using Switchboard.Mock.Matching;
using Switchboard.Mock.Replies;

namespace Switchboard.Mock;

/// <summary>One request handled by the engine: how it matched and what it is answered with.</summary>
public sealed record MockExchange(MockRequest Request, MatchOutcome Outcome, MockReply Reply)
{
    /// <summary>The fixture that answered; null for a miss, an ambiguity in strict mode, or the echo model.</summary>
    public Fixture? Fixture => Reply is MockReply.Failure && !Outcome.IsMatch ? null : Outcome.Fixture;

    /// <summary>Which response of the fixture's sequence answered (0-based).</summary>
    public int Turn { get; init; }

    /// <summary>True when the built-in echo model answered (no fixtures configured).</summary>
    public bool IsEcho { get; init; }
}
