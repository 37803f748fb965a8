using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Pipeline;
using Switchboard.Providers.Upstream;

namespace Switchboard.Providers.OpenAICompatible;

/// <summary>Creates <see cref="OpenAICompatibleProvider"/>s for <c>type: openai</c> entries.</summary>
public sealed class OpenAICompatibleProviderFactory : IChatProviderFactory
{
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ILoggerFactory _loggerFactory;

    /// <summary>Creates the factory; each provider gets the named client <see cref="ProviderHttpClients.ClientName"/>.</summary>
    public OpenAICompatibleProviderFactory(IHttpClientFactory httpClientFactory, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(httpClientFactory);
        _httpClientFactory = httpClientFactory;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <inheritdoc />
    public string Type => ProviderTypes.OpenAI;

    /// <inheritdoc />
    public IReadOnlyList<string> Validate(ProviderOptions options) => ProviderOptionsChecks.Common(options, baseUrlRequired: true);

    /// <inheritdoc />
    public IChatProvider Create(ProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var client = _httpClientFactory.CreateClient(ProviderHttpClients.ClientName(options.Name));
        return new OpenAICompatibleProvider(options, client, _timeProvider, _loggerFactory.CreateLogger<OpenAICompatibleProvider>());
    }
}
