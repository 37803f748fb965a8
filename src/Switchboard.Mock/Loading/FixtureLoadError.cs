namespace Switchboard.Mock.Loading;

/// <summary>Why a fixture file could not be used: the file, the line (1-based, 0 when unknown) and the problem.</summary>
public sealed record FixtureLoadError(string File, int Line, string Problem)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Problem}" : $"{File}: {Problem}";
}
