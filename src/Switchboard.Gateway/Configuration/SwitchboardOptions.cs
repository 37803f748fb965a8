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
    /// <summary><c>providers:</c> the upstreams.</summary>
    public List<ProviderOptions> Providers { get; set; } = [];

    /// <summary><c>models:</c> the public model names and their deployments.</summary>
    public List<ModelOptions> Models { get; set; } = [];

    /// <summary><c>routing:</c> rules, fallbacks, retries, timeouts, load balancing, circuit breaking.</summary>
    public RoutingOptions Routing { get; set; } = new();

    /// <summary><c>cache:</c> the exact and semantic caches (validated by <see cref="CacheOptionsValidator"/>).</summary>
    public CacheOptions Cache { get; set; } = new();

    /// <summary><c>cleaning:</c> how answers are cleaned.</summary>
    public CleaningOptions Cleaning { get; set; } = new();

    /// <summary><c>compression:</c> how prompts are compressed.</summary>
    public CompressionOptions Compression { get; set; } = new();

    /// <summary>Bound and validated on its own (<see cref="DatabaseOptions"/>); here so the file's keys are checked for typos.</summary>
    public DatabaseOptions Database { get; set; } = new();

    /// <summary>A Redis connection string (<c>localhost:6379</c>) shared by replicas; null for a single process.</summary>
    public string? Redis { get; set; }

    /// <summary><c>server:</c> the HTTP listener.</summary>
    public ServerOptions Server { get; set; } = new();

    /// <summary>Rate limits and budgets (<c>limits:</c>).</summary>
    public LimitsOptions Limits { get; set; } = new();

    /// <summary>Bound and validated on its own (<see cref="AuthOptions"/>); here so the file's keys are checked for typos.</summary>
    public AuthOptions Auth { get; set; } = new();

    /// <summary><c>telemetry:</c> traces, metrics and logs.</summary>
    public TelemetryOptions Telemetry { get; set; } = new();

    /// <summary><c>ui:</c> the dashboard.</summary>
    public UiOptions Ui { get; set; } = new();
}
