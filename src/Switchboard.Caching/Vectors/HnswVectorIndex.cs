using System.Numerics.Tensors;

namespace Switchboard.Caching.Vectors;

/// <summary>
/// Approximate search with a hierarchical navigable small-world graph (Malkov and Yashunin, 2016): each
/// vector is linked to its nearest neighbours on a few layers of decreasing density, and a search walks
/// greedily from the sparse top layer down. Neighbours are chosen with the paper's diversity heuristic,
/// which keeps clustered data (what sentence embeddings are) navigable. Removed vectors stay in the graph
/// as waypoints and are left out of results. Searches share a read lock; inserts take the write lock.
/// </summary>
public sealed class HnswVectorIndex : IVectorIndex
{
    private readonly int _dimensions;
    private readonly int _maxNeighbours;
    private readonly int _maxNeighboursBottom;
    private readonly int _buildBreadth;
    private readonly int _searchBreadth;
    private readonly double _levelFactor;
    private readonly Random _random;
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly List<Node> _nodes = [];
    private readonly Dictionary<long, int> _byId = [];
    [ThreadStatic]
    private static int[]? t_visited;

    [ThreadStatic]
    private static int t_visitMark;

    private int _entryPoint = -1;
    private int _topLevel = -1;
    private int _live;

    /// <param name="dimensions">The vectors' length.</param>
    /// <param name="neighbours">Links per node on the upper layers (M); the bottom layer gets twice as many.</param>
    /// <param name="buildBreadth">Candidates kept while linking a new vector (efConstruction).</param>
    /// <param name="searchBreadth">Candidates kept while searching (ef); higher is slower and finds more.</param>
    /// <param name="seed">Seeds the random layer assignment, so a build is reproducible.</param>
    public HnswVectorIndex(int dimensions, int neighbours = 16, int buildBreadth = 80, int searchBreadth = 64, int seed = 42)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(neighbours, 2);
        _dimensions = dimensions;
        _maxNeighbours = neighbours;
        _maxNeighboursBottom = neighbours * 2;
        _buildBreadth = Math.Max(buildBreadth, neighbours);
        _searchBreadth = Math.Max(1, searchBreadth);
        _levelFactor = 1 / Math.Log(neighbours);
        _random = new Random(seed);
    }

    public int Count => Volatile.Read(ref _live);

    public void Add(long id, float[] vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        ArgumentOutOfRangeException.ThrowIfNotEqual(vector.Length, _dimensions);
        _lock.EnterWriteLock();
        try
        {
            if (_byId.TryGetValue(id, out var existing))
            {
                if (_nodes[existing].Deleted)
                {
                    _nodes[existing].Deleted = false;
                    _live++;
                }

                return;
            }

            Insert(id, vector);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public bool Remove(long id)
    {
        _lock.EnterWriteLock();
        try
        {
            if (!_byId.TryGetValue(id, out var index) || _nodes[index].Deleted)
            {
                return false;
            }

            _nodes[index].Deleted = true;
            _live--;
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public IReadOnlyList<VectorMatch> Search(ReadOnlySpan<float> query, int count, float minSimilarity)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(query.Length, _dimensions);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _lock.EnterReadLock();
        try
        {
            if (_entryPoint < 0)
            {
                return [];
            }

            var current = _entryPoint;
            var currentSimilarity = Similarity(query, current);
            for (var level = _topLevel; level > 0; level--)
            {
                (current, currentSimilarity) = Greedy(query, current, currentSimilarity, level);
            }

            var candidates = SearchLayer(query, current, currentSimilarity, Math.Max(_searchBreadth, count), 0);
            var best = new TopMatches(count);
            foreach (var (node, similarity) in candidates)
            {
                if (!_nodes[node].Deleted && similarity >= minSimilarity)
                {
                    best.Offer(new VectorMatch(_nodes[node].Id, similarity));
                }
            }

            return best.ToList();
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private void Insert(long id, float[] vector)
    {
        var level = (int)Math.Floor(-Math.Log(1 - _random.NextDouble()) * _levelFactor);
        var node = new Node(id, vector, level, _maxNeighbours, _maxNeighboursBottom);
        var index = _nodes.Count;
        _nodes.Add(node);
        _byId[id] = index;
        _live++;
        if (_entryPoint < 0)
        {
            _entryPoint = index;
            _topLevel = level;
            return;
        }

        var current = _entryPoint;
        var currentSimilarity = Similarity(vector, current);
        for (var l = _topLevel; l > level; l--)
        {
            (current, currentSimilarity) = Greedy(vector, current, currentSimilarity, l);
        }

        for (var l = Math.Min(level, _topLevel); l >= 0; l--)
        {
            var candidates = SearchLayer(vector, current, currentSimilarity, _buildBreadth, l);
            var max = l == 0 ? _maxNeighboursBottom : _maxNeighbours;
            var chosen = SelectNeighbours(candidates, _maxNeighbours);
            foreach (var (neighbour, similarity) in chosen)
            {
                node.Links[l].Add(neighbour);
                var theirs = _nodes[neighbour].Links[l];
                theirs.Add(index);
                if (theirs.Count > max)
                {
                    Shrink(neighbour, l, max);
                }

                _ = similarity;
            }

            (current, currentSimilarity) = candidates[0];
        }

        if (level > _topLevel)
        {
            _topLevel = level;
            _entryPoint = index;
        }
    }

    /// <summary>Keeps a node's best links on one layer (by the same heuristic) once it has too many.</summary>
    private void Shrink(int index, int level, int max)
    {
        var node = _nodes[index];
        var scored = node.Links[level].Select(n => (n, Similarity(node.Vector, n))).OrderByDescending(p => p.Item2).ToList();
        var kept = SelectNeighbours(scored, max);
        node.Links[level].Clear();
        node.Links[level].AddRange(kept.Select(k => k.Node));
    }

    /// <summary>
    /// The diversity heuristic: a candidate is linked only if it is closer to the new vector than to any
    /// neighbour already chosen; the rest fill up remaining places. <paramref name="candidates"/> come nearest first.
    /// </summary>
    private List<(int Node, float Similarity)> SelectNeighbours(List<(int Node, float Similarity)> candidates, int max)
    {
        var chosen = new List<(int, float)>(max);
        var skipped = new List<(int, float)>();
        foreach (var candidate in candidates)
        {
            if (chosen.Count >= max)
            {
                break;
            }

            var diverse = true;
            foreach (var (other, _) in chosen)
            {
                if (Similarity(_nodes[candidate.Node].Vector, other) > candidate.Similarity)
                {
                    diverse = false;
                    break;
                }
            }

            if (diverse)
            {
                chosen.Add(candidate);
            }
            else
            {
                skipped.Add(candidate);
            }
        }

        for (var i = 0; i < skipped.Count && chosen.Count < max; i++)
        {
            chosen.Add(skipped[i]);
        }

        return chosen;
    }

    private (int Node, float Similarity) Greedy(ReadOnlySpan<float> query, int current, float currentSimilarity, int level)
    {
        var improved = true;
        while (improved)
        {
            improved = false;
            foreach (var neighbour in _nodes[current].Links[level])
            {
                var similarity = Similarity(query, neighbour);
                if (similarity > currentSimilarity)
                {
                    current = neighbour;
                    currentSimilarity = similarity;
                    improved = true;
                }
            }
        }

        return (current, currentSimilarity);
    }

    /// <summary>Best-first search of one layer keeping <paramref name="breadth"/> results; nearest first.</summary>
    private List<(int Node, float Similarity)> SearchLayer(ReadOnlySpan<float> query, int entry, float entrySimilarity, int breadth, int level)
    {
        // Visited marks: one array per thread, reused; a new mark per search instead of clearing it.
        var visited = t_visited is { } marks && marks.Length >= _nodes.Count ? marks : t_visited = new int[Math.Max(1024, _nodes.Count * 2)];
        var mark = ++t_visitMark;
        if (mark == int.MaxValue)
        {
            Array.Clear(visited);
            t_visitMark = mark = 1;
        }

        visited[entry] = mark;
        // Candidates to expand: the most similar first (priority = -similarity).
        var frontier = new PriorityQueue<int, float>();
        frontier.Enqueue(entry, -entrySimilarity);
        // Results: the least similar first, so the worst can be dropped.
        var results = new PriorityQueue<int, float>();
        results.Enqueue(entry, entrySimilarity);
        var worst = entrySimilarity;
        while (frontier.TryDequeue(out var candidate, out var negative))
        {
            if (-negative < worst && results.Count >= breadth)
            {
                break;
            }

            foreach (var neighbour in _nodes[candidate].Links[level])
            {
                if (visited[neighbour] == mark)
                {
                    continue;
                }

                visited[neighbour] = mark;
                var similarity = Similarity(query, neighbour);
                if (results.Count < breadth || similarity > worst)
                {
                    frontier.Enqueue(neighbour, -similarity);
                    results.Enqueue(neighbour, similarity);
                    if (results.Count > breadth)
                    {
                        results.Dequeue();
                    }

                    results.TryPeek(out _, out worst);
                }
            }
        }

        var ordered = new List<(int, float)>(results.Count);
        while (results.TryDequeue(out var node, out var similarity))
        {
            ordered.Add((node, similarity));
        }

        ordered.Reverse();
        return ordered;
    }

    private float Similarity(ReadOnlySpan<float> query, int node) => TensorPrimitives.Dot(query, _nodes[node].Vector);

    private sealed class Node
    {
        public Node(long id, float[] vector, int level, int neighbours, int bottomNeighbours)
        {
            Id = id;
            Vector = vector;
            Links = new List<int>[level + 1];
            for (var l = 0; l <= level; l++)
            {
                Links[l] = new List<int>((l == 0 ? bottomNeighbours : neighbours) + 1);
            }
        }

        public long Id { get; }

        public float[] Vector { get; }

        public List<int>[] Links { get; }

        public bool Deleted { get; set; }
    }
}
