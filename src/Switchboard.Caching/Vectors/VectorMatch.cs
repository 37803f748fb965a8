namespace Switchboard.Caching.Vectors;

/// <summary>One search result: an entry and its cosine similarity to the query.</summary>
public readonly record struct VectorMatch(long Id, float Similarity);
