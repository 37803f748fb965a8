namespace Switchboard.Caching.Vectors;

/// <summary>Nearest-neighbour search over unit vectors (cosine similarity = dot product). Safe for concurrent use.</summary>
public interface IVectorIndex
{
    /// <summary>How many vectors are searchable.</summary>
    int Count { get; }

    /// <summary>Adds a vector (of the index's dimensions) under an id not used before.</summary>
    void Add(long id, float[] vector);

    /// <summary>Makes an id unsearchable; false when it was not there.</summary>
    bool Remove(long id);

    /// <summary>
    /// The up to <paramref name="count"/> nearest vectors with a similarity of at least <paramref name="minSimilarity"/>,
    /// nearest first.
    /// </summary>
    IReadOnlyList<VectorMatch> Search(ReadOnlySpan<float> query, int count, float minSimilarity);
}
