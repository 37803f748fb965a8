using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Switchboard.Gateway.Configuration;
using Switchboard.Gateway.Dashboard;
using Switchboard.Gateway.Routing;
using Switchboard.Gateway.Pipeline;
using Switchboard.Gateway.Telemetry;

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
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SwitchboardOptions>, SwitchboardOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SwitchboardOptions>, ContentStagesOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoadBalancingPolicy, WeightedRandomPolicy>());
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
}
