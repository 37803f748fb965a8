using Microsoft.Extensions.Options;

namespace Switchboard.Gateway.Configuration;

/// <summary>Checks <c>server:</c> (the listener's address is checked where it is parsed).</summary>
public sealed class ServerSectionValidator : IValidateOptions<SwitchboardOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SwitchboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Server.Port is < 0 or > 65535)
        {
            failures.Add("server.port: must be between 0 and 65535.");
        }

        if (options.Server.MaxBodyBytes <= 0)
        {
            failures.Add("server.max_body_bytes: must be greater than 0.");
        }

        if (options.Server.MaxConnections is < 1)
        {
            failures.Add("server.max_connections: must be at least 1.");
        }

        if (options.Server.MaxUpgradedConnections is < 0)
        {
            failures.Add("server.max_upgraded_connections: must be at least 0.");
        }

        if (options.Server.ShutdownTimeout <= TimeSpan.Zero)
        {
            failures.Add("server.shutdown_timeout: must be longer than zero.");
        }

        for (var i = 0; i < options.Server.TrustedProxies.Count; i++)
        {
            if (ServerOptions.ParseProxy(options.Server.TrustedProxies[i]) is null)
            {
                failures.Add($"server.trusted_proxies[{i}]: '{options.Server.TrustedProxies[i]}' is not an IP address or a network such as 10.0.0.0/8.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
