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

    /// <summary><c>cache:</c> exact and semantic caching.</summary>
    public CacheOptions Cache { get; set; } = new();

    /// <summary><c>cleaning:</c> how answers are cleaned.</summary>
    public CleaningOptions Cleaning { get; set; } = new();

    /// <summary><c>compression:</c> how prompts are compressed.</summary>
    public CompressionOptions Compression { get; set; } = new();

    /// <summary><c>database:</c> where keys and usage are kept.</summary>
    public DatabaseOptions Database { get; set; } = new();

    /// <summary>A Redis connection string (<c>localhost:6379</c>) shared by replicas; null for a single process.</summary>
    public string? Redis { get; set; }

    /// <summary><c>server:</c> the HTTP listener.</summary>
    public ServerOptions Server { get; set; } = new();

    public TelemetryOptions Telemetry { get; set; } = new();

    public UiOptions Ui { get; set; } = new();
}
