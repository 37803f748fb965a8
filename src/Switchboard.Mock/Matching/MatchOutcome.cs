using Switchboard.Mock.Fixtures;

namespace Switchboard.Mock.Matching;

/// <summary>
/// The result of matching one request: the winning fixture, or none with the closest fixtures and why they
/// differ. <see cref="Ties"/> lists other fixtures that matched with the same priority and specificity.
/// </summary>
public sealed record MatchOutcome
{
    public Fixture? Fixture { get; init; }

    public IReadOnlyList<NearMiss> NearMisses { get; init; } = [];

    public IReadOnlyList<Fixture> Ties { get; init; } = [];

    /// <summary>How many fixtures were scored (the indexed candidates, not the whole set).</summary>
    public int CandidatesScored { get; init; }

    public bool IsMatch => Fixture is not null;

    public bool IsAmbiguous => Ties.Count > 0;
}
