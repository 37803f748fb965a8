namespace Switchboard.Mock.Loading;

/// <summary>A problem at a line of the text being read; the loader adds the file name.</summary>
internal sealed class FixtureFormatException(int line, string message, Exception? inner = null) : Exception(message, inner)
{
    public int Line { get; } = line;
}
