using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchboard.Caching.MiniLM;
using Switchboard.Mock.Provider;
using Switchboard.Providers;

namespace Switchboard.Cli.Commands;

/// <summary>
/// What the <c>switchboard</c> executable ships beyond the gateway: the provider kinds openai, ollama and the built-in
/// mock, and the semantic cache's built-in embedder (<c>cache.semantic.embedder: local</c>; loaded only when used).
/// </summary>
public static class BuiltInProviders
{
    public static void Register(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSwitchboardProviders();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChatProviderFactory, MockChatProviderFactory>());
        services.AddMiniLmEmbedder();
    }
}
