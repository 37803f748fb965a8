using Switchboard.Data;
using Switchboard.Gateway.Auth;
using Switchboard.Caching.Configuration;
using Switchboard.Gateway.Dashboard;
using Switchboard.Gateway.Telemetry;
using Switchboard.Providers;

namespace Switchboard.Gateway.Configuration;

/// <summary>The whole configuration file of <c>switchboard serve</c>, bound from YAML/JSON and <c>SWITCHBOARD__</c> variables.</summary>
public sealed class SwitchboardOptions
{
    public List<ProviderOptions> Providers { get; set; } = [];

    public List<ModelOptions> Models { get; set; } = [];

    public RoutingOptions Routing { get; set; } = new();

    /// <summary><c>cache:</c> the exact and semantic caches (validated by <see cref="CacheOptionsValidator"/>).</summary>
    public CacheOptions Cache { get; set; } = new();

    public CleaningOptions Cleaning { get; set; } = new();

    public CompressionOptions Compression { get; set; } = new();

    /// <summary>Bound and validated on its own (<see cref="DatabaseOptions"/>); here so the file's keys are checked for typos.</summary>
    public DatabaseOptions Database { get; set; } = new();

    /// <summary>A Redis connection string (<c>localhost:6379</c>) shared by replicas; null for a single process.</summary>
    public string? Redis { get; set; }

    public ServerOptions Server { get; set; } = new();

    /// <summary>Rate limits and budgets (<c>limits:</c>).</summary>
    public LimitsOptions Limits { get; set; } = new();

    /// <summary>Bound and validated on its own (<see cref="AuthOptions"/>); here so the file's keys are checked for typos.</summary>
    public AuthOptions Auth { get; set; } = new();

    public TelemetryOptions Telemetry { get; set; } = new();

    public UiOptions Ui { get; set; } = new();
}
