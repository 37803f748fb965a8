namespace Switchboard.Mock.Fixtures;

/// <summary>Where a fixture was defined: a file and line, or <c>admin</c>/<c>code</c> for ones added at run time.</summary>
public sealed record FixtureSource(string Origin, int Line = 0)
{
    public static FixtureSource Code { get; } = new("code");

    public static FixtureSource Admin { get; } = new("admin");

    public override string ToString() => Line > 0 ? $"{System.IO.Path.GetFileName(Origin)}:{Line}" : System.IO.Path.GetFileName(Origin);
}
