using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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
    /// layer is registered, else from nothing spent. With <c>redis:</c> set the limiter has a connection of its own
    /// (<see cref="LimitsRedisConnection"/>): it must fail fast while Redis is away, which other users may not want.
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
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value;
            return new LimitsRedisConnection(RedisConnection.Connect(options.Redis!, options.Limits.RedisTimeout));
        });
        services.TryAddSingleton<ILimitStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value;
            var memory = sp.GetRequiredService<MemoryLimitStore>();
            return string.IsNullOrWhiteSpace(options.Redis)
                ? memory
                : new RedisLimitStore(
                    sp.GetRequiredService<LimitsRedisConnection>().Multiplexer,
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
