namespace Switchboard.Caching.Semantic.Guard;

/// <summary>One word of a text as the guard sees it.</summary>
/// <param name="Surface">The word lower-cased, as written (for protected-in-either-text checks).</param>
/// <param name="Key">The form compared between texts: a number's value, a protected word, a content word's stem or synonym group.</param>
/// <param name="Kind">What the word is.</param>
internal readonly record struct GuardToken(string Surface, string Key, GuardTokenKind Kind);

/// <summary>The classes of words the guard tells apart.</summary>
internal enum GuardTokenKind
{
    /// <summary>Function words (the, a, how, do, please, ...): free to differ.</summary>
    Stop,

    /// <summary>Content words: may be rephrased, but not swapped one for another or reordered.</summary>
    Content,

    /// <summary>Numbers, codes, names, dates, quoted text and lexicon entities: must be the same, in the same order.</summary>
    Protected,
}
