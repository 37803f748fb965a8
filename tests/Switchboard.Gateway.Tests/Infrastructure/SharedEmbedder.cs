using Switchboard.Caching.Embeddings;
using Switchboard.Caching.MiniLM;

namespace Switchboard.Gateway.Tests.Infrastructure;

/// <summary>
/// One loaded MiniLM model for every gateway a test class starts (loading takes seconds). Registered as an
/// instance, so no gateway's container disposes it.
/// </summary>
public sealed class SharedEmbedder : ITextEmbedder, IDisposable
{
    private readonly MiniLmEmbedder _model = new();

    public string Name => _model.Name;

    public int Dimensions => _model.Dimensions;

    public ValueTask<float[]> EmbedAsync(string text, CancellationToken cancellationToken) => _model.EmbedAsync(text, cancellationToken);

    public void Dispose() => _model.Dispose();
}
