using System.Net;

namespace Switchboard.Providers;

/// <summary>
/// Names and builds the HTTP clients providers use. Every provider gets its own named client (and so its own
/// connection pool): <c>switchboard.provider.{name}</c>. <see cref="ProvidersServiceCollectionExtensions.AddSwitchboardProviders"/>
/// configures every client whose name has <see cref="NamePrefix"/> with <see cref="CreateHandler"/>.
/// </summary>
public static class ProviderHttpClients
{
    /// <summary>The prefix of the named <see cref="HttpClient"/> of each provider.</summary>
    public const string NamePrefix = "switchboard.provider.";

    /// <summary>How long a pooled connection is reused before it is replaced, so DNS changes are picked up.</summary>
    public static readonly TimeSpan PooledConnectionLifetime = TimeSpan.FromMinutes(5);

    /// <summary>How long establishing a TCP/TLS connection may take before the upstream counts as unreachable.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The name of the <see cref="HttpClient"/> of the provider called <paramref name="providerName"/>.</summary>
    public static string ClientName(string providerName) => NamePrefix + providerName;

    /// <summary>
    /// The handler every provider client uses: pooled connections with a bounded lifetime, no cookies (the
    /// gateway serves many users), no redirects (a redirect means a wrong <c>base_url</c>), and no automatic
    /// decompression (chat bodies are small and SSE must not be buffered by a decoder). No activity of its own and
    /// no trace headers either: <see cref="TraceContextHandler"/> sends the current span's (see there why).
    /// </summary>
    public static SocketsHttpHandler CreateHandler() => new()
    {
        ActivityHeadersPropagator = null,
        PooledConnectionLifetime = PooledConnectionLifetime,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
        ConnectTimeout = ConnectTimeout,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        AllowAutoRedirect = false,
        EnableMultipleHttp2Connections = true,
    };

    /// <summary>Sets what provider clients need on an <see cref="HttpClient"/>: timeouts are the provider's job, no <c>Expect: 100-continue</c>.</summary>
    public static void Configure(HttpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        client.Timeout = Timeout.InfiniteTimeSpan;
        client.DefaultRequestHeaders.ExpectContinue = false;
    }

    /// <summary>Creates a stand-alone client with <see cref="CreateHandler"/>, for use without dependency injection.</summary>
    public static HttpClient CreateClient()
    {
        var client = new HttpClient(new TraceContextHandler(CreateHandler()), disposeHandler: true);
        Configure(client);
        return client;
    }
}
