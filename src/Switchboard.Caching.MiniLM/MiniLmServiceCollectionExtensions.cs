using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchboard.Caching.Embeddings;

namespace Switchboard.Caching.MiniLM;

/// <summary>Registers the built-in offline embedder (<c>cache.semantic.embedder: local</c>).</summary>
public static class MiniLmServiceCollectionExtensions
{
    public static IServiceCollection AddMiniLmEmbedder(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<MiniLmEmbedder>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITextEmbedder, MiniLmEmbedder>(sp => sp.GetRequiredService<MiniLmEmbedder>()));
        return services;
    }
}
