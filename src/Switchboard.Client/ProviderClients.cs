using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using OllamaSharp;
using OpenAI;
using Polly;
using Switchboard.Client.Http;

namespace Switchboard.Client;

/// <summary>Builds the Microsoft.Extensions.AI pipeline that <see cref="LlmClient.Create"/> and dependency injection use.</summary>
internal static class ProviderClients
{
    /// <summary>The named <see cref="HttpClient"/> of clients made by dependency injection.</summary>
    public const string HttpClientName = "Switchboard.Client";

    /// <summary>Connections are renewed now and then so a changed DNS answer is seen by a long-lived client.</summary>
    public static readonly TimeSpan ConnectionLifetime = TimeSpan.FromMinutes(2);

    /// <summary>The handler chain for a client made without dependency injection: recording, then key placeholder, then retries, then sockets.</summary>
    public static HttpClient CreateHttpClient(LlmClientOptions options, TimeProvider time)
    {
        HttpMessageHandler handler = new SocketsHttpHandler { PooledConnectionLifetime = ConnectionLifetime };
        if (options.MaxRetries > 0)
        {
            var retries = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };
            RetryPipeline.Configure(retries, options);
            handler = new ResilienceHandler(retries.Build()) { InnerHandler = handler };
        }

        handler = new ApiKeyPlaceholderHandler { InnerHandler = handler };
        handler = new CallRecordingHandler(time) { InnerHandler = handler };

        // One client for the LlmClient's lifetime, with pooled connections renewed above: what the HttpClient guidelines advise without a factory.
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The provider's client over <paramref name="http"/>, with the response cache in front when configured.</summary>
    public static IChatClient CreatePipeline(LlmClientOptions options, HttpClient http, IServiceProvider? services)
    {
        var baseUrl = options.EffectiveBaseUrl;
        IChatClient provider;
        if (options.Provider == LlmProvider.Ollama)
        {
            // OllamaSharp resolves "api/chat" against the base address: without a trailing slash a path prefix would be lost.
            http.BaseAddress = baseUrl.AbsolutePath.EndsWith('/') ? baseUrl : new Uri(baseUrl + "/");
            provider = new OllamaApiClient(http, options.Model ?? string.Empty);
        }
        else
        {
            var openAI = new OpenAIClient(
                new ApiKeyCredential(string.IsNullOrEmpty(options.ApiKey) ? ApiKeyPlaceholderHandler.Placeholder : options.ApiKey),
                new OpenAIClientOptions
                {
                    Endpoint = baseUrl,
                    Transport = new HttpClientPipelineTransport(http),

                    // Retries and the time limit are this library's (RetryPipeline, LlmClientOptions.Timeout), not the SDK's.
                    RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
                    NetworkTimeout = Timeout.InfiniteTimeSpan,
                });

            // The model is set per call; this one is only the SDK's required default.
            provider = openAI.GetChatClient(string.IsNullOrWhiteSpace(options.Model) ? "default" : options.Model).AsIChatClient();
        }

        var builder = new ChatClientBuilder(provider);
        if (options.CacheTtl is { } ttl)
        {
            var storage = services?.GetService<IDistributedCache>()
                ?? new MemoryDistributedCache(Microsoft.Extensions.Options.Options.Create(new MemoryDistributedCacheOptions()));
            builder.UseDistributedCache(new ExpiringDistributedCache(storage, ttl), cache =>
                cache.CacheKeyAdditionalValues = [options.Provider.ToString(), baseUrl.ToString()]);
        }

        return builder.Build(services);
    }
}
