using Microsoft.Extensions.Logging;
using Switchboard.Pipeline;
using Switchboard.Providers.Upstream;

namespace Switchboard.Providers.Ollama;

/// <summary>Creates <see cref="OllamaProvider"/>s for <c>type: ollama</c> entries.</summary>
public sealed class OllamaProviderFactory : IChatProviderFactory
{
    private readonly ProviderDependencies _dependencies;

    /// <summary>Creates the factory; each provider gets the named client <see cref="ProviderHttpClients.ClientName"/>.</summary>
    public OllamaProviderFactory(IHttpClientFactory httpClientFactory, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
        => _dependencies = new ProviderDependencies(httpClientFactory, timeProvider, loggerFactory);

    /// <inheritdoc />
    public string Type => ProviderTypes.Ollama;

    /// <inheritdoc />
    /// <remarks><c>base_url</c> may be left out (<see cref="OllamaProvider.DefaultBaseUrl"/>); a URL ending in <c>/v1</c> is refused,
    /// since that is Ollama's OpenAI-compatible API, which <c>type: openai</c> serves.</remarks>
    public IReadOnlyList<string> Validate(ProviderOptions options)
    {
        var problems = ProviderOptionsChecks.Common(options, baseUrlRequired: false);
        if (options.BaseUrl is { } baseUrl && baseUrl.TrimEnd('/').EndsWith("/v1", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"providers[{options.Name}].base_url ends in /v1, which is Ollama's OpenAI-compatible API: for type: ollama give the server root " +
                $"(e.g. {OllamaProvider.DefaultBaseUrl}), or use type: openai with this URL.");
        }

        return problems;
    }

    /// <inheritdoc />
    public IChatProvider Create(ProviderOptions options)
        => new OllamaProvider(options, _dependencies.ClientFor(options), _dependencies.TimeProvider, _dependencies.Logger<OllamaProvider>());
}
