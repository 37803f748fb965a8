namespace Switchboard.Gateway.Configuration;

/// <summary>
/// The configuration cannot be used. <see cref="Exception.Message"/> is one line for a person: the file,
/// the key or line, and what is wrong. The command line prints it and exits with code 2.
/// </summary>
public sealed class ConfigurationFileException : Exception
{
    /// <summary>A problem described in <paramref name="message"/> (one line per problem).</summary>
    public ConfigurationFileException(string message)
        : base(message)
    {
    }

    /// <summary>A problem found while reading or binding, with the exception that revealed it.</summary>
    public ConfigurationFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>A problem with no description (for serializers and tools).</summary>
    public ConfigurationFileException()
    {
    }
}
