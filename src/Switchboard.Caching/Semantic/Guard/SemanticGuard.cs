using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Switchboard.Caching.Semantic.Guard;

/// <summary>
/// Decides whether two texts that embed close together may share an answer. Sentence embeddings are nearly
/// blind to what makes two questions different while they look alike ("book 2 tickets" vs "book 3 tickets"
/// scores 0.93 on all-MiniLM-L6-v2, "10 USD to EUR" vs "10 EUR to USD" 0.98), so a semantic hit must also
/// pass these checks:
/// <list type="number">
/// <item>protected words (numbers and number words, dates and times, codes, quoted text, capitalized names
/// and lexicon entities such as currencies, units, places, languages and technologies) are the same and in
/// the same order; a word protected in either text is compared in both;</item>
/// <item>the same number of negations (<c>not</c>, <c>n't</c>, <c>never</c>, <c>without</c>, ...);</item>
/// <item>no word swapped for its opposite (enable/disable, add/remove, ascending/descending, lock/unlock);</item>
/// <item>no content word swapped for another that is not a known synonym (billing/shipping address);</item>
/// <item>the content words both texts share appear in the same order (the cat chases the mouse).</item>
/// </list>
/// It is deliberately strict: a refused paraphrase costs one upstream call, a wrong answer costs trust.
/// </summary>
public static partial class SemanticGuard
{
    private static readonly FrozenDictionary<string, string> Synonyms = BuildSynonyms();
    private static readonly FrozenDictionary<string, (int Group, string Member)[]> Opposites = BuildOpposites();
    private static readonly FrozenSet<string> EntityStems = GuardLexicon.Entities.Select(Stem).ToFrozenSet(StringComparer.Ordinal);
    private static readonly string[] OppositePrefixes = ["un", "dis", "de", "in", "im", "non", "anti", "mis"];

    /// <summary>Analyses a text once; the result can be kept with a cached entry and compared many times.</summary>
    public static GuardFeatures Analyze(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<GuardToken>();
        var negations = 0;
        var sentenceStart = true;
        var lastEnd = 0;
        foreach (Match match in TokenPattern().Matches(text))
        {
            if (HasSentenceBreak(text.AsSpan(lastEnd, match.Index - lastEnd)))
            {
                sentenceStart = true;
            }

            lastEnd = match.Index + match.Length;
            if (match.Groups["quoted"].Success)
            {
                var quoted = match.Groups["quoted"].Value.Trim().ToLowerInvariant();
                tokens.Add(new GuardToken(quoted, "\"" + quoted + "\"", GuardTokenKind.Protected));
                sentenceStart = false;
                continue;
            }

            negations += AddWord(match.Value, sentenceStart, tokens);
            sentenceStart = false;
        }

        CombineTimeSpans(tokens);
        var opposites = new Dictionary<int, HashSet<string>>();
        var stems = new HashSet<string>(StringComparer.Ordinal);
        foreach (var token in tokens)
        {
            var stem = Stem(token.Surface);
            stems.Add(stem);
            if (Opposites.TryGetValue(stem, out var groups))
            {
                foreach (var (group, member) in groups)
                {
                    if (!opposites.TryGetValue(group, out var members))
                    {
                        opposites[group] = members = new HashSet<string>(StringComparer.Ordinal);
                    }

                    members.Add(member);
                }
            }
        }

        return new GuardFeatures(tokens, negations, opposites, stems);
    }

    /// <summary>Compares a new request's text with a cached one.</summary>
    public static GuardVerdict Compare(string candidate, string cached) => Compare(Analyze(candidate), Analyze(cached));

    /// <summary>Compares two analysed texts (order does not matter).</summary>
    public static GuardVerdict Compare(GuardFeatures a, GuardFeatures b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var verdict = CompareProtected(a, b);
        if (!verdict.Passed)
        {
            return verdict;
        }

        if (a.Negations != b.Negations)
        {
            return GuardVerdict.Refuse("negation", $"{a.Negations} vs {b.Negations} negations");
        }

        verdict = CompareOpposites(a, b);
        return verdict.Passed ? CompareContent(a, b) : verdict;
    }

    /// <summary>Numbers, names, codes, dates and entities: the same sequence on both sides.</summary>
    private static GuardVerdict CompareProtected(GuardFeatures a, GuardFeatures b)
    {
        var protectedSurfaces = new HashSet<string>(StringComparer.Ordinal);
        foreach (var token in a.Tokens.Concat(b.Tokens))
        {
            if (token.Kind == GuardTokenKind.Protected)
            {
                protectedSurfaces.Add(token.Key);
                protectedSurfaces.Add(token.Surface);
            }
        }

        var left = ProtectedSequence(a, protectedSurfaces);
        var right = ProtectedSequence(b, protectedSurfaces);
        if (left.SequenceEqual(right, StringComparer.Ordinal))
        {
            return GuardVerdict.Pass;
        }

        var detail = $"[{string.Join(' ', left)}] vs [{string.Join(' ', right)}]";
        if (left.Order(StringComparer.Ordinal).SequenceEqual(right.Order(StringComparer.Ordinal), StringComparer.Ordinal))
        {
            return GuardVerdict.Refuse("order", detail);
        }

        var differing = left.Except(right, StringComparer.Ordinal).Concat(right.Except(left, StringComparer.Ordinal));
        return GuardVerdict.Refuse(differing.Any(d => d.Length > 0 && char.IsAsciiDigit(d[0])) ? "number" : "entity", detail);
    }

    private static List<string> ProtectedSequence(GuardFeatures features, HashSet<string> protectedSurfaces)
    {
        var sequence = new List<string>();
        foreach (var token in features.Tokens)
        {
            if (token.Kind == GuardTokenKind.Protected)
            {
                sequence.Add(token.Key);
            }
            else if (protectedSurfaces.Contains(token.Surface) || protectedSurfaces.Contains(Stem(token.Surface)))
            {
                // Written as a plain word here but as a name (or entity) in the other text: "paris" vs "Paris".
                sequence.Add(EntityStems.Contains(Stem(token.Surface)) ? Stem(token.Surface) : token.Surface);
            }
        }

        return sequence;
    }

    private static GuardVerdict CompareOpposites(GuardFeatures a, GuardFeatures b)
    {
        foreach (var (group, left) in a.Opposites)
        {
            if (b.Opposites.TryGetValue(group, out var right)
                && left.Except(right).FirstOrDefault() is { } onlyLeft
                && right.Except(left).FirstOrDefault() is { } onlyRight)
            {
                return GuardVerdict.Refuse("opposite", $"{onlyLeft} vs {onlyRight}");
            }
        }

        return OppositeByPrefix(a, b) ?? OppositeByPrefix(b, a) ?? GuardVerdict.Pass;
    }

    /// <summary>lock/unlock, agree/disagree, activate/deactivate: one text has the word, the other the word with a negating prefix.</summary>
    private static GuardVerdict? OppositeByPrefix(GuardFeatures a, GuardFeatures b)
    {
        foreach (var stem in a.Stems)
        {
            if (stem.Length < 3 || b.Stems.Contains(stem))
            {
                continue;
            }

            foreach (var prefix in OppositePrefixes)
            {
                var prefixed = prefix + stem;
                if (b.Stems.Contains(prefixed) && !a.Stems.Contains(prefixed))
                {
                    return GuardVerdict.Refuse("opposite", $"{stem} vs {prefixed}");
                }
            }
        }

        return null;
    }

    /// <summary>Content words: one swapped for a non-synonym, or shared ones in another order, is another question.</summary>
    private static GuardVerdict CompareContent(GuardFeatures a, GuardFeatures b)
    {
        var left = ContentKeys(a);
        var right = ContentKeys(b);

        // Derived forms match each other (paint/painter, ship/shipping): the longer takes the shorter's key.
        var onlyLeft = left.Except(right, StringComparer.Ordinal).ToList();
        var onlyRight = right.Except(left, StringComparer.Ordinal).ToList();
        foreach (var l in onlyLeft.ToList())
        {
            var partner = onlyRight.FirstOrDefault(r => SameRoot(l, r));
            if (partner is not null)
            {
                onlyLeft.Remove(l);
                onlyRight.Remove(partner);
                for (var i = 0; i < right.Count; i++)
                {
                    if (right[i] == partner)
                    {
                        right[i] = l;
                    }
                }
            }
        }

        if (onlyLeft.Count == 1 && onlyRight.Count == 1)
        {
            return GuardVerdict.Refuse("substitution", $"{onlyLeft[0]} vs {onlyRight[0]}");
        }

        return CompareOrder(a, b, right, left);
    }

    /// <summary>
    /// Two words both texts use, in opposite order, with a word that relates them in between in both texts
    /// ("from staging to production", "the dog is smarter than the cat"): the roles were swapped. A paraphrase
    /// that reorders by restructuring ("symptoms of the flu", "flu symptoms") keeps no such word between them.
    /// </summary>
    private static GuardVerdict CompareOrder(GuardFeatures a, GuardFeatures b, List<string> rightContent, List<string> leftContent)
    {
        var left = OrderKeys(a, null);
        var right = OrderKeys(b, rightContent);
        var shared = left.Where(k => k.Kind != GuardTokenKind.Stop && left.Count(x => x.Key == k.Key) == 1 && right.Count(x => x.Key == k.Key) == 1).ToList();
        for (var i = 0; i < shared.Count; i++)
        {
            for (var j = i + 1; j < shared.Count; j++)
            {
                var leftFrom = left.IndexOf(shared[i]);
                var leftTo = left.IndexOf(shared[j]);
                var rightFrom = right.FindIndex(t => t.Key == shared[j].Key);
                var rightTo = right.FindIndex(t => t.Key == shared[i].Key);
                if (rightFrom > rightTo)
                {
                    continue;
                }

                var between = left.Skip(leftFrom + 1).Take(leftTo - leftFrom - 1).Select(t => t.Key).Where(k => k is not ("a" or "an" or "the")).ToHashSet(StringComparer.Ordinal);
                if (right.Skip(rightFrom + 1).Take(rightTo - rightFrom - 1).Any(t => between.Contains(t.Key)))
                {
                    return GuardVerdict.Refuse("order", $"{shared[i].Key} ... {shared[j].Key}");
                }
            }
        }

        _ = leftContent;
        return GuardVerdict.Pass;
    }

    /// <summary>Every token's compared key, with content keys replaced by their matched partner's where derived forms met.</summary>
    private static List<GuardToken> OrderKeys(GuardFeatures features, List<string>? contentKeys)
    {
        var keys = new List<GuardToken>(features.Tokens.Count);
        var content = 0;
        foreach (var token in features.Tokens)
        {
            var key = token.Kind == GuardTokenKind.Content && contentKeys is not null ? contentKeys[content] : token.Key;
            if (token.Kind == GuardTokenKind.Content)
            {
                content++;
            }

            keys.Add(token with { Key = key });
        }

        return keys;
    }

    private static List<string> ContentKeys(GuardFeatures features) =>
        [.. features.Tokens.Where(t => t.Kind == GuardTokenKind.Content).Select(t => t.Key)];

    private static bool SameRoot(string a, string b) =>
        !a.StartsWith("syn:", StringComparison.Ordinal) && !b.StartsWith("syn:", StringComparison.Ordinal)
        && Math.Min(a.Length, b.Length) >= 4
        && (a.StartsWith(b, StringComparison.Ordinal) || b.StartsWith(a, StringComparison.Ordinal));

    /// <summary>Classifies one word (splitting contractions and hyphens); returns how many negations it holds.</summary>
    private static int AddWord(string word, bool sentenceStart, List<GuardToken> tokens)
    {
        var lower = word.ToLowerInvariant().Replace('’', '\'');
        var negations = 0;
        if (lower.EndsWith("n't", StringComparison.Ordinal))
        {
            negations++;
            lower = lower[..^3];
            word = word[..^3];
        }
        else if (lower.IndexOf('\'', StringComparison.Ordinal) is var apostrophe and > 0 && lower[(apostrophe + 1)..] is "s" or "d" or "ll" or "re" or "ve" or "m")
        {
            lower = lower[..apostrophe];
            word = word[..apostrophe];
        }

        if (lower.Length == 0)
        {
            return negations;
        }

        if (lower.Any(char.IsAsciiDigit))
        {
            tokens.Add(new GuardToken(lower, NormalizeNumber(lower), GuardTokenKind.Protected));
            return negations;
        }

        if (IsCode(lower))
        {
            tokens.Add(new GuardToken(lower, lower, GuardTokenKind.Protected));
            return negations;
        }

        if (lower.Contains('-', StringComparison.Ordinal))
        {
            var parts = word.Split('-', StringSplitOptions.RemoveEmptyEntries);
            for (var i = 0; i < parts.Length; i++)
            {
                negations += AddWord(parts[i], sentenceStart && i == 0, tokens);
            }

            return negations;
        }

        if (GuardLexicon.Negations.Contains(lower))
        {
            tokens.Add(new GuardToken(lower, lower, GuardTokenKind.Stop));
            return negations + 1;
        }

        if (GuardLexicon.NumberWords.TryGetValue(lower, out var value))
        {
            tokens.Add(new GuardToken(lower, value, GuardTokenKind.Protected));
            return negations;
        }

        if (GuardLexicon.TimeWords.Contains(lower) && !(lower is "may" or "sun" or "sat" or "wed" or "mar" or "am" && !LooksLikeTime(lower, tokens)))
        {
            tokens.Add(new GuardToken(lower, lower, GuardTokenKind.Protected));
            return negations;
        }

        var stem = Stem(lower);
        if (IsName(word, sentenceStart) || GuardLexicon.Entities.Contains(lower) || EntityStems.Contains(stem))
        {
            tokens.Add(new GuardToken(lower, EntityStems.Contains(stem) ? stem : lower, GuardTokenKind.Protected));
            return negations;
        }

        if (GuardLexicon.StopWords.Contains(lower) || lower.Length == 1)
        {
            tokens.Add(new GuardToken(lower, lower, GuardTokenKind.Stop));
            return negations;
        }

        tokens.Add(new GuardToken(lower, Synonyms.TryGetValue(lower, out var group) || Synonyms.TryGetValue(stem, out group) ? group : stem, GuardTokenKind.Content));
        return negations;
    }

    /// <summary>"am" is a verb unless it follows a number ("10 am"); the other short forms need the same care.</summary>
    private static bool LooksLikeTime(string lower, List<GuardToken> tokens) =>
        lower == "am" && tokens.Count > 0 && tokens[^1].Surface.Length > 0 && char.IsAsciiDigit(tokens[^1].Surface[^1]);

    /// <summary>"next week", "last month": the qualifier and the span are one protected time.</summary>
    private static void CombineTimeSpans(List<GuardToken> tokens)
    {
        for (var i = tokens.Count - 2; i >= 0; i--)
        {
            if (GuardLexicon.TimeQualifiers.Contains(tokens[i].Surface) && GuardLexicon.TimeSpans.Contains(tokens[i + 1].Surface))
            {
                var combined = tokens[i].Surface + " " + tokens[i + 1].Surface;
                tokens[i] = new GuardToken(tokens[i].Surface, combined, GuardTokenKind.Protected);
                tokens.RemoveAt(i + 1);
            }
        }
    }

    /// <summary>A capitalized word that does not start a sentence, or one with capitals inside (JavaScript, USD).</summary>
    private static bool IsName(string word, bool sentenceStart)
    {
        if (word.Length == 0 || !char.IsUpper(word[0]) || word == "I")
        {
            return false;
        }

        var innerCapitals = word.Skip(1).Any(char.IsUpper);
        if (innerCapitals)
        {
            return true;
        }

        return !sentenceStart && !GuardLexicon.StopWords.Contains(word.ToLowerInvariant());
    }

    /// <summary>Identifiers: paths, e-mail addresses, versions, snake_case, dotted names, C#/C++.</summary>
    private static bool IsCode(string lower) =>
        lower.AsSpan().IndexOfAny("_./@:#+\\") >= 0 || lower.StartsWith('$');

    private static string NormalizeNumber(string lower)
    {
        var builder = new StringBuilder(lower.Length);
        foreach (var c in lower)
        {
            if (c != ',')
            {
                builder.Append(c);
            }
        }

        var text = builder.ToString();
        // 3rd, 21st, 4th: the ordinal's value.
        foreach (var suffix in (ReadOnlySpan<string>)["st", "nd", "rd", "th"])
        {
            if (text.Length > suffix.Length && text.EndsWith(suffix, StringComparison.Ordinal) && text[..^suffix.Length].All(char.IsAsciiDigit))
            {
                return text[..^suffix.Length];
            }
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? number.ToString(CultureInfo.InvariantCulture)
            : text;
    }

    private static bool HasSentenceBreak(ReadOnlySpan<char> between) => between.IndexOfAny(".!?:;\n") >= 0;

    /// <summary>A light suffix stripper: plurals, -ing, -ed, -er, -est, -ly and a final e, so inflections meet.</summary>
    internal static string Stem(string word)
    {
        var w = word;
        if (w.Length > 4 && w.EndsWith("ies", StringComparison.Ordinal))
        {
            w = w[..^3] + "y";
        }
        else if (w.Length > 4 && w.EndsWith("sses", StringComparison.Ordinal))
        {
            w = w[..^2];
        }
        else if (w.Length > 3 && w.EndsWith('s') && !w.EndsWith("ss", StringComparison.Ordinal) && !w.EndsWith("us", StringComparison.Ordinal) && !w.EndsWith("is", StringComparison.Ordinal))
        {
            w = w[..^1];
        }

        foreach (var suffix in (ReadOnlySpan<string>)["ing", "est", "ed", "er", "ly"])
        {
            if (w.Length >= suffix.Length + 3 && w.EndsWith(suffix, StringComparison.Ordinal))
            {
                w = w[..^suffix.Length];
                if (w.Length > 3 && w[^1] == w[^2] && !"aeiouls".Contains(w[^1], StringComparison.Ordinal))
                {
                    w = w[..^1];
                }

                break;
            }
        }

        return w.Length > 3 && w.EndsWith('e') ? w[..^1] : w;
    }

    private static FrozenDictionary<string, string> BuildSynonyms()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < GuardLexicon.SynonymGroups.Count; i++)
        {
            foreach (var word in GuardLexicon.SynonymGroups[i])
            {
                map.TryAdd(word, "syn:" + GuardLexicon.SynonymGroups[i][0]);
                map.TryAdd(Stem(word), "syn:" + GuardLexicon.SynonymGroups[i][0]);
            }
        }

        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static FrozenDictionary<string, (int, string)[]> BuildOpposites()
    {
        var map = new Dictionary<string, List<(int, string)>>(StringComparer.Ordinal);
        for (var group = 0; group < GuardLexicon.OppositeGroups.Count; group++)
        {
            foreach (var member in GuardLexicon.OppositeGroups[group])
            {
                foreach (var form in new[] { member, Stem(member) })
                {
                    if (!map.TryGetValue(form, out var list))
                    {
                        map[form] = list = [];
                    }

                    if (!list.Contains((group, member)))
                    {
                        list.Add((group, member));
                    }
                }
            }
        }

        return map.ToFrozenDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
    }

    [GeneratedRegex("""(?<![\p{L}\p{N}])['"`“‘](?<quoted>[^'"`”’\n]{1,200})['"`”’](?![\p{L}\p{N}])|[./$€£#]?[\p{L}\p{N}]+(?:[._@/:#+'’%-][\p{L}\p{N}]+)*[+#%]*""")]
    private static partial Regex TokenPattern();
}
