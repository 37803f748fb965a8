using Microsoft.Extensions.DependencyInjection;
using Switchboard.Caching.Embeddings;
using Switchboard.Gateway.Pipeline;

namespace Switchboard.Gateway.Caching;

/// <summary>
/// Makes the embedders of <c>cache.semantic.embedder: MODEL</c>: each sends <c>POST /v1/embeddings</c> for MODEL
/// through the gateway's own pipeline, in process. The pipeline is looked up on first use, because it holds the
/// cache stages that hold the semantic cache that holds the embedder.
/// </summary>
internal sealed class RoutedEmbedderFactory(IServiceProvider services, TimeProvider timeProvider) : IRoutedEmbedderFactory
{
    public IRoutedEmbedder Create(string model) =>
        new RoutedEmbedder(model, new Lazy<GatewayPipeline>(services.GetRequiredService<GatewayPipeline>), timeProvider);
}
