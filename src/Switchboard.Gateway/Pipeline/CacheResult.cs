namespace Switchboard.Gateway.Pipeline;

/// <summary>What the cache stage recorded for one request.</summary>
/// <param name="Outcome">Hit, semantic hit, miss or bypass.</param>
/// <param name="Similarity">For a semantic hit, how close the cached prompt was (0 to 1).</param>
/// <param name="TokensSaved">Tokens the upstream did not have to process because of a hit.</param>
/// <param name="CostSaved">What those tokens would have cost, in USD.</param>
public readonly record struct CacheResult(CacheOutcome Outcome, double? Similarity = null, int TokensSaved = 0, decimal CostSaved = 0)
{
    /// <summary>The value of the <c>x-switchboard-cache</c> header: <c>hit</c>, <c>semantic</c>, <c>miss</c> or <c>bypass</c>.</summary>
    public string HeaderValue => Outcome switch
    {
        CacheOutcome.Hit => "hit",
        CacheOutcome.Semantic => "semantic",
        CacheOutcome.Miss => "miss",
        _ => "bypass",
    };
}
