namespace Switchboard.Gateway.Configuration;

/// <summary><c>cache.semantic:</c> answers for prompts close in meaning to one already answered.</summary>
public sealed class SemanticCacheOptions
{
    public bool Enabled { get; set; }

    public double Threshold { get; set; } = 0.92;

    public string Embedder { get; set; } = "local";
}
