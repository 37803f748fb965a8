namespace Switchboard.Caching.Embeddings;

/// <summary>An embedder that calls an embeddings model through the gateway's own routing (<c>cache.semantic.embedder: MODEL</c>).</summary>
public interface IRoutedEmbedder : ITextEmbedder;
