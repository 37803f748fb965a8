using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace Switchboard.Providers;

/// <summary>
/// Configures every named client whose name starts with <see cref="ProviderHttpClients.NamePrefix"/>: the
/// pooled <see cref="SocketsHttpHandler"/>, no client-wide timeout, and a handler that is never rotated
/// (<see cref="SocketsHttpHandler.PooledConnectionLifetime"/> already recycles connections for DNS changes),
/// so providers may hold on to their <see cref="HttpClient"/>.
/// </summary>
internal sealed class ProviderHttpClientSetup : IConfigureNamedOptions<HttpClientFactoryOptions>
{
    public void Configure(string? name, HttpClientFactoryOptions options)
    {
        if (name is null || !name.StartsWith(ProviderHttpClients.NamePrefix, StringComparison.Ordinal))
        {
            return;
        }

        options.HandlerLifetime = Timeout.InfiniteTimeSpan;
        options.HttpMessageHandlerBuilderActions.Add(static builder =>
        {
            builder.PrimaryHandler = ProviderHttpClients.CreateHandler();
            builder.AdditionalHandlers.Add(new TraceContextHandler());
        });
        options.HttpClientActions.Add(ProviderHttpClients.Configure);
    }

    public void Configure(HttpClientFactoryOptions options) => Configure(Options.DefaultName, options);
}
