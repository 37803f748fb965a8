namespace Switchboard.Gateway.Configuration;

/// <summary>One problem of a configuration file at one key.</summary>
/// <param name="Key">The configuration path (<c>providers:0:base_url</c>).</param>
/// <param name="Message">What is wrong, for a person (<c>'x' is not a whole number.</c>).</param>
public readonly record struct ConfigurationProblem(string Key, string Message)
{
    /// <summary>The line start-up prints: <c>file: providers[0].base_url: message</c>.</summary>
    public string Describe(string source) => $"{source}: {GatewayConfigurationLoader.DisplayKey(Key)}: {Message}";
}
