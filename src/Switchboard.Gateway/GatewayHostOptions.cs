using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Gateway;

/// <summary>How to start a gateway process: the command line's flags, and hooks for tests.</summary>
public sealed record GatewayHostOptions
{
    /// <summary>The configuration file; null runs the embedded default.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>Overrides <c>server.host</c>.</summary>
    public string? Host { get; init; }

    /// <summary>Overrides <c>server.port</c>; 0 picks a free port.</summary>
    public int? Port { get; init; }

    /// <summary>Environment variables for <c>SWITCHBOARD__</c> overrides and <c>env:</c> secrets; null reads the process's.</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }

    /// <summary>Registers provider factories and anything else the host adds.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>Adds or filters log providers (tests capture logs here).</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
}
