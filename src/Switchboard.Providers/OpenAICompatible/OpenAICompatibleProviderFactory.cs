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
    /// <remarks><c>base_url</c> is the API root (<c>…/v1</c>); a URL that already names an endpoint is refused.</remarks>
    public IReadOnlyList<string> Validate(ProviderOptions options)
    {
        var problems = ProviderOptionsChecks.Common(options, baseUrlRequired: true);
        var baseUrl = options.BaseUrl?.TrimEnd('/');
        if (baseUrl is not null
            && (baseUrl.EndsWith("/chat/completions", StringComparison.OrdinalIgnoreCase) || baseUrl.EndsWith("/embeddings", StringComparison.OrdinalIgnoreCase)))
        {
            problems.Add($"providers[{options.Name}].base_url must be the API root (e.g. http://localhost:1234/v1), not an endpoint: got '{options.BaseUrl}'.");
        }

        return problems;
    }

    /// <inheritdoc />
    public IChatProvider Create(ProviderOptions options)
        => new OpenAICompatibleProvider(options, _dependencies.ClientFor(options), _dependencies.TimeProvider, _dependencies.Logger<OpenAICompatibleProvider>());
}
