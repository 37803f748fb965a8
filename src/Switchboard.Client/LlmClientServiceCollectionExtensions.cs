using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Switchboard.Client.Http;

namespace Switchboard.Client;

/// <summary>Registers an <see cref="LlmClient"/> with dependency injection.</summary>
public static class LlmClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="LlmClient"/> whose <see cref="LlmClientOptions"/> are bound from
    /// <paramref name="configuration"/> (for example <c>configuration.GetSection("Llm")</c>, keys named like the
    /// properties: <c>Llm:Provider</c>, <c>Llm:BaseUrl</c>, <c>Llm:Model</c>...) and validated at start-up: a bad
    /// value stops the host with a message naming its key. Its HTTP goes through <see cref="IHttpClientFactory"/>
    /// (named client <c>Switchboard.Client</c>, with the retry handler when <see cref="LlmClientOptions.MaxRetries"/>
    /// is set); the response cache uses the registered <c>IDistributedCache</c>, and cleaning a registered
    /// <see cref="IResponseCleaner"/>, when there are.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding the options.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddLlmClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<LlmClientOptions>().Bind(configuration).ValidateOnStart();
        return AddCore(services, (configuration as IConfigurationSection)?.Path);
    }

    /// <summary>Registers a singleton <see cref="LlmClient"/> configured in code; otherwise as <see cref="AddLlmClient(IServiceCollection, IConfiguration)"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddLlmClient(this IServiceCollection services, Action<LlmClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<LlmClientOptions>().Configure(configure).ValidateOnStart();
        return AddCore(services, null);
    }

    private static IServiceCollection AddCore(IServiceCollection services, string? prefix)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmClientOptions>>(new LlmClientOptionsValidator(prefix)));
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(ProviderClients.HttpClientName)
            .ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = ProviderClients.ConnectionLifetime })

            // The client lives as long as the container; its connections are renewed by the primary handler instead.
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddHttpMessageHandler(provider => new CallRecordingHandler(provider.GetRequiredService<TimeProvider>()))
            .AddHttpMessageHandler(() => new ApiKeyPlaceholderHandler())
            .AddResilienceHandler("retry", (pipeline, context) =>
                RetryPipeline.Configure(pipeline, context.ServiceProvider.GetRequiredService<IOptions<LlmClientOptions>>().Value));

        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<LlmClientOptions>>().Value;
            var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient(ProviderClients.HttpClientName);
            return LlmClient.Build(options, http, provider, provider.GetRequiredService<TimeProvider>());
        });
        return services;
    }
}
