namespace Switchboard.Gateway.Routing;

/// <summary>The response headers that tell a client what the gateway did.</summary>
public static class GatewayHeaders
{
    /// <summary>The provider that answered.</summary>
    public const string Provider = "x-switchboard-provider";
    /// <summary>The upstream model that answered.</summary>
    public const string Model = "x-switchboard-model";
    /// <summary>Upstream calls made, retries and fallbacks included.</summary>
    public const string Attempts = "x-switchboard-attempts";
    /// <summary><c>hit</c>, <c>semantic</c>, <c>miss</c> or <c>bypass</c>.</summary>
    public const string Cache = "x-switchboard-cache";
    /// <summary>The similarity of the prompt that a semantic cache hit answered.</summary>
    public const string CacheSimilarity = "x-switchboard-cache-similarity";
    /// <summary>The request's id (the client's own when it sent a sensible one).</summary>
    public const string RequestId = "x-request-id";
}
