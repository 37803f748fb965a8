namespace Switchboard.Providers.Upstream;

/// <summary>Values of the error <c>code</c> field that only provider adapters produce.</summary>
public static class ProviderErrorCodes
{
    /// <summary>The upstream refused the gateway's own credentials (401/403 from the upstream).</summary>
    public const string UpstreamAuthenticationFailed = "upstream_authentication_failed";

    /// <summary>The upstream says the model the gateway mapped the request to does not exist there.</summary>
    public const string UpstreamModelNotFound = "upstream_model_not_found";

    /// <summary>The upstream answered with something that is not a valid answer (bad JSON, wrong shape).</summary>
    public const string UpstreamInvalidResponse = "upstream_invalid_response";

    /// <summary>The request uses a feature the provider kind cannot express (for example <c>n &gt; 1</c> on Ollama).</summary>
    public const string UnsupportedByProvider = "unsupported_by_provider";
}
