using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Switchboard.Accounting;
using Switchboard.Gateway.Configuration;
using Switchboard.Limits;
using Switchboard.Tokens;

namespace Switchboard.Gateway.Limits;

/// <summary>Registers rate limits and budgets: the counters' store (memory, or Redis when <c>redis:</c> is set) and the planner.</summary>
public static class LimitsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the limiter. Budget counters start from the usage records (<see cref="IKeySpendSource"/>) when the data
    /// layer is registered, else from nothing spent. With <c>redis:</c> set, one <see cref="IConnectionMultiplexer"/> is shared with
    /// whoever else registers one first.
    /// </summary>
    public static IServiceCollection AddSwitchboardLimits(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SwitchboardOptions>, LimitsOptionsValidator>());
        services.TryAddSingleton<ITokenCounter>(TiktokenTokenCounter.Instance);
        services.TryAddSingleton<ISpendSource>(static sp =>
            sp.GetService<IKeySpendSource>() is { } records ? new KeySpendSource(records) : NoSpendSource.Instance);
        services.TryAddSingleton(sp => LimitsSettings.From(sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value.Limits));
        services.TryAddSingleton(sp => new MemoryLimitStore(
            sp.GetRequiredService<LimiterSettings>(), sp.GetRequiredService<ISpendSource>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IConnectionMultiplexer>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value;
            return RedisConnection.Connect(options.Redis!, options.Limits.RedisTimeout);
        });
        services.TryAddSingleton<ILimitStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value;
            var memory = sp.GetRequiredService<MemoryLimitStore>();
            return string.IsNullOrWhiteSpace(options.Redis)
                ? memory
                : new RedisLimitStore(
                    sp.GetRequiredService<IConnectionMultiplexer>(),
                    sp.GetRequiredService<LimiterSettings>(),
                    memory,
                    sp.GetRequiredService<ISpendSource>(),
                    sp.GetRequiredService<TimeProvider>(),
                    sp.GetRequiredService<ILogger<RedisLimitStore>>());
        });
        services.TryAddSingleton<LimitPlanner>();
        services.TryAddSingleton<IKeyLimitsSource, CallerKeyLimitsSource>();
        return services;
    }
}
