namespace Switchboard.Gateway.Configuration;

/// <summary><c>cache:</c> exact and semantic response caching.</summary>
public sealed class CacheOptions
{
    public bool Exact { get; set; }

    public SemanticCacheOptions Semantic { get; set; } = new();
}
