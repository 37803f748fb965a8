using System.Numerics.Tensors;

namespace Switchboard.Caching.Vectors;

/// <summary>
/// Approximate search with a hierarchical navigable small-world graph (Malkov and Yashunin, 2016): each
/// vector is linked to its nearest neighbours on a few layers of decreasing density, and a search walks
/// greedily from the sparse top layer down. Neighbours are chosen with the paper's diversity heuristic,
/// which keeps clustered data (what sentence embeddings are) navigable. Removed vectors stay in the graph
/// as waypoints and are left out of results. Searches share a read lock; inserts take the write lock.
/// </summary>
/// <remarks>
/// Each link keeps its similarity to the node that holds it, so pruning an overfull neighbour list re-sorts known
/// numbers instead of recomputing them; links live in fixed arrays and the search queues and buffers are reused per
/// thread, so an insert allocates only the new node. (The first version recomputed every similarity with LINQ on
/// each prune: about 6 ms per insert on the loaded test machine; docs/benchmarks.md has the comparison.)
/// </remarks>
public sealed class HnswVectorIndex : IVectorIndex
{
    [ThreadStatic]
    private static Scratch? t_scratch;

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

    /// <summary>Vectors in the graph, removed ones included (they stay as waypoints).</summary>
    public int NodeCount
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _nodes.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

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

            var scratch = ScratchFor();
            SearchLayer(query, current, currentSimilarity, Math.Max(_searchBreadth, count), 0, scratch);
            var best = new TopMatches(count);
            foreach (var (node, similarity) in scratch.Found)
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

        var scratch = ScratchFor();
        var current = _entryPoint;
        var currentSimilarity = Similarity(vector, current);
        for (var l = _topLevel; l > level; l--)
        {
            (current, currentSimilarity) = Greedy(vector, current, currentSimilarity, l);
        }

        for (var l = Math.Min(level, _topLevel); l >= 0; l--)
        {
            SearchLayer(vector, current, currentSimilarity, _buildBreadth, l, scratch);
            var found = scratch.Found;
            node.Counts[l] = SelectNeighbours(found, _maxNeighbours, node.Links[l], node.Similarities[l], scratch);
            var max = l == 0 ? _maxNeighboursBottom : _maxNeighbours;
            for (var i = 0; i < node.Counts[l]; i++)
            {
                Connect(node.Links[l][i], index, node.Similarities[l][i], l, max, scratch);
            }

            (current, currentSimilarity) = found[0];
        }

        if (level > _topLevel)
        {
            _topLevel = level;
            _entryPoint = index;
        }
    }

    /// <summary>
    /// Links <paramref name="from"/> to <paramref name="to"/> on one layer; when its list is full, the list and the
    /// newcomer are pruned back to <paramref name="max"/> by the same heuristic, from the similarities the links keep.
    /// </summary>
    private void Connect(int from, int to, float similarity, int level, int max, Scratch scratch)
    {
        var node = _nodes[from];
        var links = node.Links[level];
        var similarities = node.Similarities[level];
        var count = node.Counts[level];
        if (count < links.Length)
        {
            links[count] = to;
            similarities[count] = similarity;
            node.Counts[level] = count + 1;
            return;
        }

        // Nearest first: the list and the newcomer, insertion-sorted (a few dozen entries).
        var pool = scratch.Pool;
        pool.Clear();
        for (var i = 0; i < count; i++)
        {
            pool.Add((links[i], similarities[i]));
        }

        pool.Add((to, similarity));
        for (var i = 1; i < pool.Count; i++)
        {
            var item = pool[i];
            var j = i - 1;
            while (j >= 0 && pool[j].Similarity < item.Similarity)
            {
                pool[j + 1] = pool[j];
                j--;
            }

            pool[j + 1] = item;
        }

        node.Counts[level] = SelectNeighbours(pool, max, links, similarities, scratch);
    }

    /// <summary>
    /// The diversity heuristic: a candidate is linked only if it is closer to the node than to any neighbour already
    /// chosen; the rest fill up remaining places. <paramref name="candidates"/> come nearest first. Writes the chosen
    /// nodes and their similarities into <paramref name="links"/> and <paramref name="similarities"/>; returns how many.
    /// </summary>
    private int SelectNeighbours(List<(int Node, float Similarity)> candidates, int max, int[] links, float[] similarities, Scratch scratch)
    {
        var chosen = 0;
        var skipped = scratch.Skipped;
        skipped.Clear();
        foreach (var candidate in candidates)
        {
            if (chosen >= max)
            {
                break;
            }

            var vector = _nodes[candidate.Node].Vector;
            var diverse = true;
            for (var i = 0; i < chosen; i++)
            {
                if (TensorPrimitives.Dot(vector, _nodes[links[i]].Vector) > candidate.Similarity)
                {
                    diverse = false;
                    break;
                }
            }

            if (diverse)
            {
                links[chosen] = candidate.Node;
                similarities[chosen] = candidate.Similarity;
                chosen++;
            }
            else
            {
                skipped.Add(candidate);
            }
        }

        for (var i = 0; i < skipped.Count && chosen < max; i++)
        {
            links[chosen] = skipped[i].Node;
            similarities[chosen] = skipped[i].Similarity;
            chosen++;
        }

        return chosen;
    }

    private (int Node, float Similarity) Greedy(ReadOnlySpan<float> query, int current, float currentSimilarity, int level)
    {
        var improved = true;
        while (improved)
        {
            improved = false;
            var node = _nodes[current];
            var links = node.Links[level];
            for (var i = 0; i < node.Counts[level]; i++)
            {
                var neighbour = links[i];
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

    /// <summary>Best-first search of one layer keeping <paramref name="breadth"/> results, left nearest first in <see cref="Scratch.Found"/>.</summary>
    private void SearchLayer(ReadOnlySpan<float> query, int entry, float entrySimilarity, int breadth, int level, Scratch scratch)
    {
        var mark = scratch.NextMark(_nodes.Count);
        var visited = scratch.Visited;
        visited[entry] = mark;
        // Candidates to expand: the most similar first (priority = -similarity).
        var frontier = scratch.Frontier;
        frontier.Clear();
        frontier.Enqueue(entry, -entrySimilarity);
        // Results: the least similar first, so the worst can be dropped.
        var results = scratch.Results;
        results.Clear();
        results.Enqueue(entry, entrySimilarity);
        var worst = entrySimilarity;
        while (frontier.TryDequeue(out var candidate, out var negative))
        {
            if (-negative < worst && results.Count >= breadth)
            {
                break;
            }

            var node = _nodes[candidate];
            var links = node.Links[level];
            for (var i = 0; i < node.Counts[level]; i++)
            {
                var neighbour = links[i];
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

        var found = scratch.Found;
        found.Clear();
        while (results.TryDequeue(out var node, out var similarity))
        {
            found.Add((node, similarity));
        }

        found.Reverse();
    }

    private float Similarity(ReadOnlySpan<float> query, int node) => TensorPrimitives.Dot(query, _nodes[node].Vector);

    private static Scratch ScratchFor() => t_scratch ??= new Scratch();

    /// <summary>
    /// One thread's working memory for searches and inserts, reused instead of allocated per call. A thread runs one
    /// search or insert at a time (the locks do not recurse), so nothing here is shared.
    /// </summary>
    private sealed class Scratch
    {
        private int _mark;

        public int[] Visited { get; private set; } = new int[1024];

        public PriorityQueue<int, float> Frontier { get; } = new();

        public PriorityQueue<int, float> Results { get; } = new();

        /// <summary>What the last layer search found, nearest first.</summary>
        public List<(int Node, float Similarity)> Found { get; } = [];

        public List<(int Node, float Similarity)> Pool { get; } = [];

        public List<(int Node, float Similarity)> Skipped { get; } = [];

        /// <summary>A new visited mark for a graph of <paramref name="nodes"/> (a new mark per search instead of clearing).</summary>
        public int NextMark(int nodes)
        {
            if (Visited.Length < nodes)
            {
                Visited = new int[Math.Max(nodes * 2, 1024)];
                _mark = 0;
            }

            if (++_mark == int.MaxValue)
            {
                Array.Clear(Visited);
                _mark = 1;
            }

            return _mark;
        }
    }

    private sealed class Node
    {
        public Node(long id, float[] vector, int level, int neighbours, int bottomNeighbours)
        {
            Id = id;
            Vector = vector;
            Links = new int[level + 1][];
            Similarities = new float[level + 1][];
            Counts = new int[level + 1];
            for (var l = 0; l <= level; l++)
            {
                // Room beyond the bound: a full list is pruned back to the bound only every few links (amortized).
                var bound = l == 0 ? bottomNeighbours : neighbours;
                var capacity = bound + (bound / 2);
                Links[l] = new int[capacity];
                Similarities[l] = new float[capacity];
            }
        }

        public long Id { get; }

        public float[] Vector { get; }

        /// <summary>Per layer, the linked nodes (the first <see cref="Counts"/> entries).</summary>
        public int[][] Links { get; }

        /// <summary>Per layer, each link's similarity to this node.</summary>
        public float[][] Similarities { get; }

        public int[] Counts { get; }

        public bool Deleted { get; set; }
    }
}
