namespace Switchboard.Gateway.Caching;

/// <summary>
/// What the caches did since this process started, for <c>GET /admin/cache</c>: lookups by outcome, stores, and
/// the failures that were turned into misses. Counted per process (each replica reports its own).
/// </summary>
public sealed class CacheStatistics
{
    private long _hits;
    private long _semanticHits;
    private long _misses;
    private long _bypasses;
    private long _guardRefusals;
    private long _stores;
    private long _notStored;
    private long _failures;

    /// <summary>Requests answered by the exact cache.</summary>
    public long Hits => Volatile.Read(ref _hits);

    /// <summary>Requests answered by the semantic cache.</summary>
    public long SemanticHits => Volatile.Read(ref _semanticHits);

    /// <summary>Requests the caches were asked about and could not answer.</summary>
    public long Misses => Volatile.Read(ref _misses);

    /// <summary>Cacheable-model requests the caches were not asked about (<c>Cache-Control</c>, sampling, not cacheable).</summary>
    public long Bypasses => Volatile.Read(ref _bypasses);

    /// <summary>Semantic misses where a candidate above the threshold was refused by the guard.</summary>
    public long GuardRefusals => Volatile.Read(ref _guardRefusals);

    /// <summary>Answers stored.</summary>
    public long Stores => Volatile.Read(ref _stores);

    /// <summary>Answers not stored because they failed, were cut short or did not finish.</summary>
    public long NotStored => Volatile.Read(ref _notStored);

    /// <summary>Lookups or stores that failed (store unreachable, embedder failing) and were skipped.</summary>
    public long Failures => Volatile.Read(ref _failures);

    /// <summary>Hits of either cache over all lookups; 0 before the first.</summary>
    public double HitRate
    {
        get
        {
            var answered = Hits + SemanticHits;
            var asked = answered + Misses;
            return asked == 0 ? 0 : (double)answered / asked;
        }
    }

    internal void Hit() => Interlocked.Increment(ref _hits);

    internal void SemanticHit() => Interlocked.Increment(ref _semanticHits);

    internal void Miss() => Interlocked.Increment(ref _misses);

    internal void Bypass() => Interlocked.Increment(ref _bypasses);

    internal void GuardRefusal() => Interlocked.Increment(ref _guardRefusals);

    internal void Stored() => Interlocked.Increment(ref _stores);

    internal void NotStoredAnswer() => Interlocked.Increment(ref _notStored);

    internal void Failure() => Interlocked.Increment(ref _failures);
}
