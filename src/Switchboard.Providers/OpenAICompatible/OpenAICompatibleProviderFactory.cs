using Microsoft.Extensions.Logging;
using Switchboard.Pipeline;
using Switchboard.Providers.Upstream;

namespace Switchboard.Providers.OpenAICompatible;

/// <summary>Creates <see cref="OpenAICompatibleProvider"/>s for <c>type: openai</c> entries.</summary>
public sealed class OpenAICompatibleProviderFactory : IChatProviderFactory
{
    private readonly ProviderDependencies _dependencies;

    /// <summary>Creates the factory; each provider gets the named client <see cref="ProviderHttpClients.ClientName"/>.</summary>
    public OpenAICompatibleProviderFactory(IHttpClientFactory httpClientFactory, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
        => _dependencies = new ProviderDependencies(httpClientFactory, timeProvider, loggerFactory);

    /// <inheritdoc />
    public string Type => ProviderTypes.OpenAI;

    /// <inheritdoc />
    public IReadOnlyList<string> Validate(ProviderOptions options) => ProviderOptionsChecks.Common(options, baseUrlRequired: true);

    /// <inheritdoc />
    public IChatProvider Create(ProviderOptions options)
        => new OpenAICompatibleProvider(options, _dependencies.ClientFor(options), _dependencies.TimeProvider, _dependencies.Logger<OpenAICompatibleProvider>());
}
