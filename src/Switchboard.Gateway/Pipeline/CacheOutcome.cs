namespace Switchboard.Gateway.Pipeline;

/// <summary>What the cache did for a request; sent as <c>x-switchboard-cache</c>.</summary>
public enum CacheOutcome
{
    /// <summary>No cache was consulted (off, not cacheable, or the client asked it not to be). The default.</summary>
    Bypass = 0,

    /// <summary>The cache was asked and had nothing; the answer came from an upstream.</summary>
    Miss,

    /// <summary>An identical request's answer was served from the cache.</summary>
    Hit,

    /// <summary>The answer of a request close in meaning was served from the cache.</summary>
    Semantic,
}
