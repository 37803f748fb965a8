using Switchboard.Mock.Fixtures;

namespace Switchboard.Mock.Server.Admin;

/// <summary>A fixture as the admin API lists it.</summary>
public sealed record FixtureInfo
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Source { get; init; }
    public int Line { get; init; }
    public int Priority { get; init; }
    public int Specificity { get; init; }
    public required IReadOnlyList<string> Match { get; init; }
    public required IReadOnlyList<string> Responses { get; init; }
    public string? Scenario { get; init; }
    public string? State { get; init; }
    public string? NextState { get; init; }
    public IReadOnlyList<string> Models { get; init; } = [];

    public static FixtureInfo From(Fixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        return new FixtureInfo
        {
            Id = fixture.Id,
            Name = fixture.Name,
            Source = fixture.Source.Origin,
            Line = fixture.Source.Line,
            Priority = fixture.Priority,
            Specificity = fixture.Specificity,
            Match = [.. fixture.Matchers.Select(m => m.Describe())],
            Responses = [.. fixture.Responses.Select(r => r.Summarize())],
            Scenario = fixture.Scenario,
            State = fixture.RequiredState,
            NextState = fixture.NextState,
            Models = fixture.Models,
        };
    }
}
