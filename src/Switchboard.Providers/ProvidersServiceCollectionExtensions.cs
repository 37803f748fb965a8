using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using Switchboard.Providers.Ollama;
using Switchboard.Providers.OpenAICompatible;

namespace Switchboard.Providers;

/// <summary>Registers the provider adapters.</summary>
public static class ProvidersServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <c>openai</c> and <c>ollama</c> <see cref="IChatProviderFactory"/> implementations, the
    /// <see cref="IHttpClientFactory"/> they draw their clients from, and the configuration of every
    /// <c>switchboard.provider.*</c> named client (<see cref="ProviderHttpClients"/>). Registers
    /// <see cref="TimeProvider.System"/> unless a <see cref="TimeProvider"/> is already registered.
    /// </summary>
    public static IServiceCollection AddSwitchboardProviders(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddHttpClient();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<HttpClientFactoryOptions>, ProviderHttpClientSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChatProviderFactory, OpenAICompatibleProviderFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChatProviderFactory, OllamaProviderFactory>());
        return services;
    }
}
