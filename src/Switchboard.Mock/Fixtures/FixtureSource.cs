namespace Switchboard.Mock.Fixtures;

/// <summary>Where a fixture was defined: a file and line, or <c>admin</c>/<c>code</c> for ones added at run time.</summary>
public sealed record FixtureSource(string Origin, int Line = 0)
{
    public static FixtureSource Code { get; } = new("code");

    public static FixtureSource Admin { get; } = new("admin");

    /// <summary>True when the fixture came from a file (and so is replaced when the file is reloaded).</summary>
    public bool IsFile => Origin is not ("code" or "admin" or "recorded");

    public override string ToString() => Line > 0 ? $"{System.IO.Path.GetFileName(Origin)}:{Line}" : System.IO.Path.GetFileName(Origin);
}
