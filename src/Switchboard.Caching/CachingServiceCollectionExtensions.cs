using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Switchboard.Caching.Configuration;
using Switchboard.Caching.Embeddings;
using Switchboard.Caching.Exact;
using Switchboard.Caching.Semantic;

namespace Switchboard.Caching;

/// <summary>Registers the caches from the <c>cache:</c>, <c>redis:</c> and <c>database:</c> sections.</summary>
public static class CachingServiceCollectionExtensions
{
    /// <summary>
    /// Adds validated <see cref="CacheOptions"/>, the exact store (memory, or Redis when <c>redis:</c> is set)
    /// and, when <c>cache.semantic.enabled</c>, the <see cref="SemanticCache"/> over its store (the database,
    /// Redis or memory) with the background sync. The embedder named <c>local</c> must be registered by the
    /// host (the MiniLM project's <c>AddMiniLmEmbedder</c>); another name is an embeddings model, resolved by
    /// the <see cref="ITextEmbedder"/> factory the gateway registers.
    /// </summary>
    public static IServiceCollection AddSwitchboardCaching(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<CacheOptions>().Bind(configuration.GetSection(CacheOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CacheOptions>, CacheOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        var redis = configuration["redis"];
        if (!string.IsNullOrWhiteSpace(redis))
        {
            services.TryAddSingleton<IConnectionMultiplexer>(_ => ConnectRedis(redis));
        }

        services.TryAddSingleton<IExactCacheStore>(sp =>
        {
            var cache = sp.GetRequiredService<IOptions<CacheOptions>>().Value;
            var options = cache.Exact;
            var useRedis = options.Store == CacheStores.Redis || (options.Store == CacheStores.Auto && !string.IsNullOrWhiteSpace(redis));
            return useRedis
                ? new RedisExactCacheStore(sp.GetService<IConnectionMultiplexer>() ?? throw new InvalidOperationException("cache.exact.store: redis needs redis: to be configured."), cache.RedisPrefix + "x:")
                : new MemoryExactCacheStore(options.MaxEntries, options.MaxBytes, sp.GetRequiredService<TimeProvider>());
        });

        services.TryAddSingleton<ISemanticCacheStore>(sp =>
        {
            var cache = sp.GetRequiredService<IOptions<CacheOptions>>().Value;
            var store = cache.Semantic.Store;
            if (store == CacheStores.Memory)
            {
                return new MemorySemanticCacheStore();
            }

            if (store == CacheStores.Redis || (store == CacheStores.Auto && !string.IsNullOrWhiteSpace(redis)))
            {
                return new RedisSemanticCacheStore(sp.GetService<IConnectionMultiplexer>() ?? throw new InvalidOperationException("cache.semantic.store: redis needs redis: to be configured."), cache.RedisPrefix + "s:");
            }

            var provider = configuration["database:provider"] ?? "sqlite";
            var connection = configuration["database:connection"] ?? "Data Source=.switchboard/switchboard.db";
            return provider is "postgres" or "postgresql" ? SqlSemanticCacheStore.Postgres(connection) : SqlSemanticCacheStore.Sqlite(connection);
        });

        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<CacheOptions>>().Value.Semantic;
            var embedders = sp.GetServices<ITextEmbedder>().ToList();
            var embedder = options.Embedder == "local"
                ? embedders.FirstOrDefault(e => e is not IRoutedEmbedder) ?? throw new InvalidOperationException("cache.semantic.embedder: local needs the built-in embedder (Switchboard.Caching.MiniLM) in this build.")
                : sp.GetRequiredService<IRoutedEmbedderFactory>().Create(options.Embedder);
            return new SemanticCache(options, embedder, sp.GetRequiredService<ISemanticCacheStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SemanticCache>>());
        });

        if (configuration.GetSection(CacheOptions.SectionName).Get<CacheOptions>()?.Semantic.Enabled == true)
        {
            services.AddSingleton<IHostedService, SemanticCacheSync>();
        }

        return services;
    }

    /// <summary>
    /// One connection for every Redis user of the process (whoever registers first wins): start-up goes on while
    /// Redis is down, and commands issued while it is unreachable fail at once instead of queueing, so a cache
    /// lookup becomes a miss without making the request wait.
    /// </summary>
    private static ConnectionMultiplexer ConnectRedis(string configuration)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.AsyncTimeout = Math.Min(options.AsyncTimeout, 1000);
        options.SyncTimeout = Math.Min(options.SyncTimeout, 1000);
        return ConnectionMultiplexer.Connect(options);
    }
}
