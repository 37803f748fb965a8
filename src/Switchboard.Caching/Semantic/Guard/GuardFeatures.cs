namespace Switchboard.Caching.Semantic.Guard;

/// <summary>
/// What the <see cref="SemanticGuard"/> needs to know about one text, computed once (for a cached entry, when
/// it is stored) so that a lookup only analyses the new request's text.
/// </summary>
public sealed class GuardFeatures
{
    internal GuardFeatures(IReadOnlyList<GuardToken> tokens, int negations, IReadOnlyDictionary<int, HashSet<string>> opposites, HashSet<string> stems)
    {
        Tokens = tokens;
        Negations = negations;
        Opposites = opposites;
        Stems = stems;
    }

    /// <summary>The text's words in order, each classified.</summary>
    internal IReadOnlyList<GuardToken> Tokens { get; }

    /// <summary>How many negation cues the text has (<c>not</c>, <c>n't</c>, <c>never</c>, <c>without</c>, ...).</summary>
    internal int Negations { get; }

    /// <summary>For each group of opposites the text uses (enable/disable, add/remove, ...), the members it uses.</summary>
    internal IReadOnlyDictionary<int, HashSet<string>> Opposites { get; }

    /// <summary>The stems of every word, for opposites made with a prefix (lock/unlock, agree/disagree).</summary>
    internal HashSet<string> Stems { get; }
}
