namespace Switchboard.Gateway.Configuration;

/// <summary><c>cache:</c> exact and semantic response caching.</summary>
public sealed class CacheOptions
{
    /// <summary>Serve identical requests from the exact cache.</summary>
    public bool Exact { get; set; }

    /// <summary>The semantic cache: answers for prompts close in meaning.</summary>
    public SemanticCacheOptions Semantic { get; set; } = new();
}
