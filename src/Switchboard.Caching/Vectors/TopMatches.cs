namespace Switchboard.Caching.Vectors;

/// <summary>Keeps the best few matches seen (few: a linear insert beats a heap).</summary>
internal sealed class TopMatches(int capacity)
{
    private readonly List<VectorMatch> _matches = new(capacity + 1);

    public float Worst => _matches.Count < capacity ? float.NegativeInfinity : _matches[^1].Similarity;

    public void Offer(VectorMatch match)
    {
        if (_matches.Count == capacity && match.Similarity <= _matches[^1].Similarity)
        {
            return;
        }

        var at = _matches.Count;
        while (at > 0 && _matches[at - 1].Similarity < match.Similarity)
        {
            at--;
        }

        _matches.Insert(at, match);
        if (_matches.Count > capacity)
        {
            _matches.RemoveAt(capacity);
        }
    }

    public List<VectorMatch> ToList() => _matches;
}
