using Switchboard.Mock.Matching;

namespace Switchboard.Mock.Fixtures;

/// <summary>
/// A matcher and a response: the one model behind fixture files (YAML, Postman), fixtures built in code and
/// the admin API. Several responses make a sequence: the n-th time the fixture answers it uses the n-th.
/// A scenario makes the fixture answer only in a given state and move the scenario to the next.
/// </summary>
public sealed record Fixture
{
    /// <summary>A unique id (the name when it is unique, otherwise made unique with <c>#n</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The name people see in logs and miss messages.</summary>
    public required string Name { get; init; }

    public FixtureSource Source { get; init; } = FixtureSource.Code;

    /// <summary>Higher wins over more specific: a fixture with priority 1 beats every matching one with 0.</summary>
    public int Priority { get; init; }

    public IReadOnlyList<IRequestMatcher> Matchers { get; init; } = [];

    /// <summary>One response, or a sequence used turn by turn.</summary>
    public required IReadOnlyList<FixtureResponse> Responses { get; init; }

    public SequenceMode SequenceMode { get; init; } = SequenceMode.RepeatLast;

    /// <summary>The scenario this fixture belongs to; with <see cref="RequiredState"/> and <see cref="NextState"/>.</summary>
    public string? Scenario { get; init; }

    /// <summary>The state the scenario must be in (every scenario starts in <c>start</c>); null for any state.</summary>
    public string? RequiredState { get; init; }

    /// <summary>The state the scenario moves to when this fixture answers.</summary>
    public string? NextState { get; init; }

    /// <summary>Model names the fixture mentions, listed by <c>/v1/models</c>.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>The sum of the matchers' specificity.</summary>
    public int Specificity => Matchers.Sum(m => m.Specificity) + (RequiredState is null ? 0 : 1);

    public override string ToString() => $"'{Name}' ({Source})";
}
