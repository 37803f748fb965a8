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

    /// <summary>The features the host adds on top of the gateway (the conversations service): services, configuration section, endpoints.</summary>
    public IReadOnlyList<IGatewayFeature> Features { get; init; } = [];
    /// <summary><c>--log-format</c>: <c>text</c> (one line per entry, the default) or <c>json</c> (one JSON object per line, with a line per request).</summary>
    public string LogFormat { get; init; } = "text";
}
