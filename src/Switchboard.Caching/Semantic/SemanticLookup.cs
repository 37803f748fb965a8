namespace Switchboard.Caching.Semantic;

/// <summary>The outcome of a semantic lookup.</summary>
public sealed record SemanticLookup
{
    /// <summary>The stored answer when a close enough request passed the guard; empty on a miss.</summary>
    public ReadOnlyMemory<byte> Answer { get; init; }

    /// <summary>True on a hit.</summary>
    public bool IsHit => !Answer.IsEmpty;

    /// <summary>The similarity of the entry that answered, or of the nearest one on a miss (0 when there was none).</summary>
    public float Similarity { get; init; }

    /// <summary>The query's vector, kept so that storing the answer of a miss does not embed twice.</summary>
    public float[]? Vector { get; init; }

    /// <summary>Why the nearest candidate above the threshold was refused (the guard's reason); null otherwise.</summary>
    public string? RefusedBecause { get; init; }
}
