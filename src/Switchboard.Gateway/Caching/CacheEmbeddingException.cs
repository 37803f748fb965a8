namespace Switchboard.Gateway.Caching;

/// <summary>The routed embedder got no vector (the model failed or answered nonsense); the semantic lookup becomes a miss.</summary>
public sealed class CacheEmbeddingException : Exception
{
    public CacheEmbeddingException()
    {
    }

    public CacheEmbeddingException(string message)
        : base(message)
    {
    }

    public CacheEmbeddingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
