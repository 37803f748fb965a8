using Switchboard.Providers;

namespace Switchboard.Gateway.Configuration;

/// <summary>The whole configuration file of <c>switchboard serve</c>, bound from YAML/JSON and <c>SWITCHBOARD__</c> variables.</summary>
public sealed class SwitchboardOptions
{
    public List<ProviderOptions> Providers { get; set; } = [];

    public List<ModelOptions> Models { get; set; } = [];

    public RoutingOptions Routing { get; set; } = new();

    public CacheOptions Cache { get; set; } = new();

    public CleaningOptions Cleaning { get; set; } = new();

    public CompressionOptions Compression { get; set; } = new();

    public DatabaseOptions Database { get; set; } = new();

    /// <summary>A Redis connection string (<c>localhost:6379</c>) shared by replicas; null for a single process.</summary>
    public string? Redis { get; set; }

    public ServerOptions Server { get; set; } = new();
}
