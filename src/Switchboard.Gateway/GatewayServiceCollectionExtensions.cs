using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Data;
using Switchboard.Gateway.Auth;
using Switchboard.Caching;
using Switchboard.Caching.Embeddings;
using Switchboard.Caching.Exact;
using Switchboard.Caching.Semantic;
using Switchboard.Gateway.Caching;
using Switchboard.Gateway.Configuration;
using Switchboard.Gateway.Limits;
using Switchboard.Gateway.Dashboard;
using Switchboard.Gateway.Routing;
using Switchboard.Gateway.Pipeline;
using Switchboard.Gateway.Telemetry;
using Switchboard.Tokens;

namespace Switchboard.Gateway;

/// <summary>Registers the gateway: validated options, providers, routing and the pipeline.</summary>
public static class GatewayServiceCollectionExtensions
{
    /// <summary>
    /// Adds the gateway bound to <paramref name="configuration"/> (see <see cref="GatewayConfigurationLoader"/>).
    /// Provider kinds are registered separately as <see cref="Switchboard.Providers.IChatProviderFactory"/>s.
    /// </summary>
    public static IServiceCollection AddSwitchboardGateway(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SwitchboardOptions>()
            .Bind(configuration)
            .ValidateOnStart();
        // Each provider entry's keys that no ProviderOptions property reads are its kind's own settings (the mock's
        // fixtures); the factory of its type reads them from ProviderOptions.Settings.
        services.AddOptions<SwitchboardOptions>().PostConfigure(options => ProviderSettings.Fill(options, configuration));

        // One validator per section; a new section adds its own (see docs/pipeline.md).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SwitchboardOptions>, ProvidersSectionValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SwitchboardOptions>, ModelsSectionValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SwitchboardOptions>, RoutingSectionValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SwitchboardOptions>, ServerSectionValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SwitchboardOptions>, CacheSectionValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SwitchboardOptions>, ContentStagesOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoadBalancingPolicy, WeightedRandomPolicy>(static _ => new WeightedRandomPolicy()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoadBalancingPolicy, RoundRobinPolicy>());
        services.TryAddSingleton<ProviderRegistry>();
        services.TryAddSingleton(sp => new RouteTable(
            sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value,
            sp.GetRequiredService<ProviderRegistry>().Providers,
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IRetryBackoff>(static _ => new ExponentialBackoff());
        services.TryAddSingleton<Router>();
        services.TryAddSingleton<ModelCatalog>();
        services.TryAddSingleton<GatewayTerminal>();
        services.AddSwitchboardLimits();

        // auth: and database: are bound and validated as sections of their own.
        services.AddSwitchboardData(configuration);
        services.AddOptions<AuthOptions>()
            .Bind(configuration.GetSection(AuthOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>());
        services.TryAddSingleton<KeyAuthenticator>();
        // Signed with a key derived from the master key, so every replica with that key accepts the others' cookies.
        services.TryAddSingleton(sp => new DashboardSessions(sp.GetRequiredService<TimeProvider>(), configuration["auth:master_key"]));
        // Wrong keys per client address: the dashboard's sign-in, and keys in request headers (HeaderKeyThrottle).
        services.TryAddKeyedSingleton(FailedKeyThrottle.SignInService, static (sp, _) => FailedKeyThrottle.ForSignIn(sp.GetRequiredService<TimeProvider>()));
        services.TryAddKeyedSingleton(FailedKeyThrottle.HeaderKeyService, static (sp, _) =>
        {
            var auth = sp.GetRequiredService<IOptions<AuthOptions>>().Value;
            return new FailedKeyThrottle(auth.FailedKeyLimit, auth.FailedKeyWindow, auth.FailedKeyAddresses, sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton(static sp => new HeaderKeyThrottle(
            sp.GetRequiredKeyedService<FailedKeyThrottle>(FailedKeyThrottle.HeaderKeyService),
            sp.GetRequiredService<KeyAuthenticator>(),
            sp.GetRequiredService<ILogger<HeaderKeyThrottle>>()));
        // Every 401 the OpenAI writer answers is reported to it (Switchboard.Hosting asks for this interface).
        services.TryAddSingleton<Switchboard.Hosting.Http.IUnauthorizedAnswerObserver>(static sp => sp.GetRequiredService<HeaderKeyThrottle>());
        AddCaching(services, configuration);

        // Telemetry is off unless the host resolved it on (GatewayHost: telemetry.enabled or an OTLP endpoint).
        services.AddMetrics();
        services.TryAddSingleton(TelemetrySettings.Off);
        services.TryAddSingleton<GatewayMetrics>();
        services.TryAddSingleton(new RequestLogSettings());
        services.TryAddSingleton(static sp => new RequestLog(sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value.Ui.RecentRequests));

        // The stages are created by the pipeline builder (GatewayPipelineOrder decides the order); one registered
        // here as a singleton is used as it is, so a host or test can replace it.
        services.TryAddSingleton(static sp => new GatewayPipelineBuilder(sp).UseGatewayStages().Build());
        return services;
    }

    /// <summary>
    /// The caches of <c>cache:</c> (stores, semantic cache and its sync from Switchboard.Caching) and the gateway's
    /// side of them. Only the caches that are on are created; <c>cache.semantic.embedder: local</c> needs the
    /// built-in embedder registered by the host (<c>AddMiniLmEmbedder</c>), another name is a model routed here.
    /// </summary>
    private static void AddCaching(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSwitchboardCaching(configuration);
        services.TryAddSingleton<IRoutedEmbedderFactory, RoutedEmbedderFactory>();
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value.Cache;
            return new ResponseCache(
                options,
                options.Exact.Enabled ? sp.GetRequiredService<IExactCacheStore>() : null,
                options.Semantic.Enabled ? sp.GetRequiredService<SemanticCache>() : null,
                sp.GetService<ITokenCounter>() ?? TiktokenTokenCounter.Instance,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<ResponseCache>>());
        });
    }
}
