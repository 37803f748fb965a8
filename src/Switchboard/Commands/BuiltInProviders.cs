using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchboard.Mock.Provider;
using Switchboard.Providers;

namespace Switchboard.Cli.Commands;

/// <summary>The provider kinds the <c>switchboard</c> executable ships: openai, ollama and the built-in mock.</summary>
public static class BuiltInProviders
{
    /// <summary>Registers the <c>openai</c>, <c>ollama</c> and <c>mock</c> provider factories.</summary>
    public static void Register(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSwitchboardProviders();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChatProviderFactory, MockChatProviderFactory>());
    }
}
