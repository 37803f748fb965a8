namespace Switchboard.Gateway.Routing;

/// <summary>The response headers that tell a client what the gateway did.</summary>
public static class GatewayHeaders
{
    public const string Provider = "x-switchboard-provider";
    public const string Model = "x-switchboard-model";
    public const string Attempts = "x-switchboard-attempts";
    public const string Cache = "x-switchboard-cache";
    public const string CacheSimilarity = "x-switchboard-cache-similarity";
    public const string RequestId = "x-request-id";
}
