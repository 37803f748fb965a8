namespace Switchboard.Mock.Loading;

/// <summary>A fixture file that cannot be used; <see cref="Error"/> names the file, line and problem in one line.</summary>
public sealed class FixtureLoadException : Exception
{
    public FixtureLoadException(FixtureLoadError error, Exception? inner = null)
        : base(error?.ToString(), inner) => Error = error ?? throw new ArgumentNullException(nameof(error));

    public FixtureLoadException()
        : this(new FixtureLoadError("?", 0, "unknown problem"))
    {
    }

    public FixtureLoadException(string message)
        : this(new FixtureLoadError("?", 0, message))
    {
    }

    public FixtureLoadException(string message, Exception innerException)
        : this(new FixtureLoadError("?", 0, message), innerException)
    {
    }

    public FixtureLoadError Error { get; }
}
