using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchboard.Caching.MiniLM;
using Switchboard.Conversations;
using Switchboard.Gateway;
using Switchboard.Mock.Provider;
using Switchboard.Providers;

namespace Switchboard.Cli.Commands;

/// <summary>
/// The provider kinds the <c>switchboard</c> executable ships (openai, ollama and the built-in mock), the semantic
/// cache's built-in embedder (<c>cache.semantic.embedder: local</c>; loaded only when used) and the features
/// <c>serve</c> runs on top of the gateway (the conversations service).
/// </summary>
public static class BuiltInProviders
{
    /// <summary>What <c>switchboard serve</c> adds to the gateway: the conversations service.</summary>
    public static IReadOnlyList<IGatewayFeature> Features { get; } = [ConversationsFeature.Instance];

    /// <summary>Registers the <c>openai</c>, <c>ollama</c> and <c>mock</c> provider factories.</summary>
    public static void Register(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSwitchboardProviders();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChatProviderFactory, MockChatProviderFactory>());
        services.AddMiniLmEmbedder();
    }
}
