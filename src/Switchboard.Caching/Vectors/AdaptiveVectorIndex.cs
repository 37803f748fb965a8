namespace Switchboard.Caching.Vectors;

/// <summary>
/// Exact search while small, approximate beyond a size: starts as a <see cref="FlatVectorIndex"/> and, once it
/// holds more than <c>exactSearchLimit</c> vectors, moves them into an <see cref="HnswVectorIndex"/> (once;
/// it does not move back). Most scopes (one model, one system prompt) stay small and exact.
/// </summary>
public sealed class AdaptiveVectorIndex : IVectorIndex
{
    private readonly int _dimensions;
    private readonly int _exactSearchLimit;
    private readonly int _searchBreadth;
    private readonly Lock _switchLock = new();
    private volatile IVectorIndex _inner;

    public AdaptiveVectorIndex(int dimensions, int exactSearchLimit, int searchBreadth)
    {
        _dimensions = dimensions;
        _exactSearchLimit = exactSearchLimit;
        _searchBreadth = searchBreadth;
        _inner = exactSearchLimit == 0 ? NewGraph() : new FlatVectorIndex(dimensions);
    }

    /// <summary>True once the index searches approximately.</summary>
    public bool IsApproximate => _inner is HnswVectorIndex;

    public int Count => _inner.Count;

    public void Add(long id, float[] vector)
    {
        lock (_switchLock)
        {
            _inner.Add(id, vector);
            if (_inner is FlatVectorIndex flat && flat.Count > _exactSearchLimit)
            {
                var graph = NewGraph();
                foreach (var (entryId, entryVector) in flat.Entries())
                {
                    graph.Add(entryId, entryVector);
                }

                _inner = graph;
            }
        }
    }

    public bool Remove(long id)
    {
        lock (_switchLock)
        {
            return _inner.Remove(id);
        }
    }

    public IReadOnlyList<VectorMatch> Search(ReadOnlySpan<float> query, int count, float minSimilarity) =>
        _inner.Search(query, count, minSimilarity);

    private HnswVectorIndex NewGraph() => new(_dimensions, searchBreadth: _searchBreadth);
}
