using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Data.Keys;
using Switchboard.Data.Protection;
using Switchboard.Data.Usage;
using Switchboard.Accounting;

namespace Switchboard.Data;

/// <summary>Registers the database: options, migrations at start-up, the key store, usage queries and the usage writer.</summary>
public static class DataServiceCollectionExtensions
{
    /// <summary>
    /// Adds everything <c>database:</c> configures. <paramref name="configuration"/> is the whole configuration
    /// (the <c>database</c> section is read from it). With <paramref name="withBackgroundServices"/> false (the
    /// CLI), nothing runs by itself: no migration on start, no usage writer.
    /// </summary>
    public static IServiceCollection AddSwitchboardData(this IServiceCollection services, IConfiguration configuration, bool withBackgroundServices = true)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DatabaseOptions>()
            .Bind(configuration.GetSection(DatabaseOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SwitchboardDatabase(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value));
        services.TryAddSingleton<KeyStore>();
        services.TryAddSingleton<UsageQueries>();
        services.TryAddSingleton<IKeySpendSource>(sp => sp.GetRequiredService<UsageQueries>());
        if (!withBackgroundServices)
        {
            return services;
        }

        services.AddHostedService<DatabaseMigrator>();
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            return new UsageWriter(
                sp.GetRequiredService<SwitchboardDatabase>(),
                options.StoreMessages ? MessageProtectorFactory.Create(options) : null,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<UsageWriter>>());
        });
        services.TryAddSingleton<IUsageSink>(sp => sp.GetRequiredService<UsageWriter>());
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<UsageWriter>());
        return services;
    }
}
