namespace Switchboard.Gateway.Configuration;

/// <summary><c>cache.semantic:</c> answers for prompts close in meaning to one already answered.</summary>
public sealed class SemanticCacheOptions
{
    /// <summary>Whether the semantic cache answers at all.</summary>
    public bool Enabled { get; set; }

    /// <summary>The least cosine similarity (0 to 1] for an answer to be reused.</summary>
    public double Threshold { get; set; } = 0.92;

    /// <summary><c>local</c> (the built-in model) or the name of an embeddings model served by the gateway.</summary>
    public string Embedder { get; set; } = "local";
}
