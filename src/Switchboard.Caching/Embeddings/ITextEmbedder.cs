namespace Switchboard.Caching.Embeddings;

/// <summary>
/// Turns text into a unit-length vector for the semantic cache. Implementations are chosen by
/// <c>cache.semantic.embedder</c>: <c>local</c> is the built-in offline model, any other value names an
/// embeddings model served through the gateway's own routing.
/// </summary>
public interface ITextEmbedder
{
    /// <summary>What produced the vectors (stored with each entry: vectors of different embedders never meet).</summary>
    string Name { get; }

    /// <summary>The length of every vector this embedder returns; 0 until the first vector when not known in advance.</summary>
    int Dimensions { get; }

    /// <summary>Embeds one text. The vector is normalized to length 1, so a dot product is the cosine similarity.</summary>
    ValueTask<float[]> EmbedAsync(string text, CancellationToken cancellationToken);
}
