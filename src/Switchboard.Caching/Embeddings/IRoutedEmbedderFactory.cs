namespace Switchboard.Caching.Embeddings;

/// <summary>Made by the gateway (which owns routing): an embedder for a configured embeddings model.</summary>
public interface IRoutedEmbedderFactory
{
    IRoutedEmbedder Create(string model);
}
