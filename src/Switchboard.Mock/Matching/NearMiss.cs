using Switchboard.Mock.Fixtures;

namespace Switchboard.Mock.Matching;

/// <summary>A fixture that almost matched: its average score and what differs.</summary>
public sealed record NearMiss(Fixture Fixture, double Score, IReadOnlyList<string> Differences)
{
    public override string ToString() =>
        $"{Fixture} scored {Score.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)}: {string.Join("; ", Differences)}";
}
