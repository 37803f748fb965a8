namespace Switchboard.Gateway.Configuration;

/// <summary>
/// The configuration cannot be used. <see cref="Exception.Message"/> is one line for a person: the file,
/// the key or line, and what is wrong. The command line prints it and exits with code 2.
/// </summary>
public sealed class ConfigurationFileException : Exception
{
    public ConfigurationFileException(string message)
        : base(message)
    {
    }

    public ConfigurationFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ConfigurationFileException()
    {
    }
}
