using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Switchboard.Providers.Upstream;

/// <summary>What every provider factory hands its providers: a named client per provider, the clock and loggers.</summary>
internal sealed class ProviderDependencies
{
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly ILoggerFactory _loggerFactory;

    public ProviderDependencies(IHttpClientFactory httpClientFactory, TimeProvider? timeProvider, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(httpClientFactory);
        _httpClientFactory = httpClientFactory;
        TimeProvider = timeProvider ?? TimeProvider.System;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    public TimeProvider TimeProvider { get; }

    /// <summary>The provider's own named client (<see cref="ProviderHttpClients.ClientName"/>), so each upstream has its own pool.</summary>
    public HttpClient ClientFor(ProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return _httpClientFactory.CreateClient(ProviderHttpClients.ClientName(options.Name));
    }

    public ILogger<T> Logger<T>() => _loggerFactory.CreateLogger<T>();
}
