using System.Numerics.Tensors;

namespace Switchboard.Caching.Vectors;

/// <summary>
/// Exact search: every vector compared with the query (SIMD dot products over one contiguous array). The
/// right choice while a scope holds a few thousand entries: no build cost, no approximation.
/// </summary>
public sealed class FlatVectorIndex : IVectorIndex
{
    private readonly int _dimensions;
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Dictionary<long, int> _slots = [];
    private float[] _vectors;
    private long[] _ids;
    private int _count;

    public FlatVectorIndex(int dimensions, int initialCapacity = 16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        _dimensions = dimensions;
        _vectors = new float[Math.Max(1, initialCapacity) * dimensions];
        _ids = new long[Math.Max(1, initialCapacity)];
    }

    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _count;
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
            if (_slots.ContainsKey(id))
            {
                return;
            }

            if (_count == _ids.Length)
            {
                Array.Resize(ref _ids, _ids.Length * 2);
                Array.Resize(ref _vectors, _ids.Length * _dimensions);
            }

            vector.CopyTo(_vectors.AsSpan(_count * _dimensions, _dimensions));
            _ids[_count] = id;
            _slots[id] = _count;
            _count++;
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
            if (!_slots.Remove(id, out var slot))
            {
                return false;
            }

            // The last vector moves into the hole.
            var last = _count - 1;
            if (slot != last)
            {
                _vectors.AsSpan(last * _dimensions, _dimensions).CopyTo(_vectors.AsSpan(slot * _dimensions, _dimensions));
                _ids[slot] = _ids[last];
                _slots[_ids[slot]] = slot;
            }

            _count--;
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
        var best = new TopMatches(count);
        _lock.EnterReadLock();
        try
        {
            var vectors = _vectors.AsSpan(0, _count * _dimensions);
            for (var i = 0; i < _count; i++)
            {
                var similarity = TensorPrimitives.Dot(query, vectors.Slice(i * _dimensions, _dimensions));
                if (similarity >= minSimilarity)
                {
                    best.Offer(new VectorMatch(_ids[i], similarity));
                }
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }

        return best.ToList();
    }

    /// <summary>Every id and vector, for building an approximate index from this one.</summary>
    internal IEnumerable<(long Id, float[] Vector)> Entries()
    {
        _lock.EnterReadLock();
        try
        {
            var result = new List<(long, float[])>(_count);
            for (var i = 0; i < _count; i++)
            {
                result.Add((_ids[i], _vectors.AsSpan(i * _dimensions, _dimensions).ToArray()));
            }

            return result;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }
}
