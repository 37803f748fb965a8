using Microsoft.Extensions.Options;
using Switchboard.Gateway.Configuration;
using Switchboard.Pipeline;
using Switchboard.Providers;

namespace Switchboard.Gateway.Routing;

/// <summary>Creates one provider instance per <c>providers[]</c> entry with the factory its <c>type</c> names.</summary>
public sealed class ProviderRegistry : IAsyncDisposable
{
    /// <summary>Creates every configured provider with the factory its <c>type</c> names.</summary>
    public ProviderRegistry(IOptions<SwitchboardOptions> options, IEnumerable<IChatProviderFactory> factories)
    {
        ArgumentNullException.ThrowIfNull(options);
        var byType = factories.ToDictionary(f => f.Type, StringComparer.OrdinalIgnoreCase);
        var routing = options.Value.Routing;
        Providers = options.Value.Providers.ToDictionary(
            p => p.Name,
            p => byType[p.Type].Create(p with { Timeout = p.Timeout ?? routing.Timeout }),
            StringComparer.Ordinal);
    }

    /// <summary>The providers by name.</summary>
    public IReadOnlyDictionary<string, IChatProvider> Providers { get; }

    /// <summary>Disposes the providers that hold resources (watchers, connections).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var provider in Providers.Values)
        {
            switch (provider)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }
}
