using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Switchboard.Conversations.Dialogue;

/// <summary>
/// The recent topics of a dialogue: the content words said most, recent turns weighing more, without stop words,
/// speakers' names or emotes. Deterministic, so the same dialogue always has the same topics.
/// </summary>
public static class TopicTracker
{
    private const double Decay = 0.8;
    private const int MinimumLength = 3;

    private static readonly FrozenSet<string> StopWords = (
        "the a an and or but if then else when while for to of in on at by with from into onto about above below over under " +
        "again further once here there where why how all any both each few more most other some such no nor not only own same so than " +
        "too very can will just don should now is are was were be been being have has had having do does did doing would could " +
        "might must shall may i me my myself we our ours you your yours he him his she her hers it its they them their what which who " +
        "whom this that these those am let lets let's get got gets go goes going gonna wanna yes yeah yep nope okay ok hey hi hello " +
        "thanks thank please also really like just think know want need make made say said tell told see look come came one two " +
        "new old big small lot lots bit little first last next best better worse " +
        "lol lmao haha hahaha omg btw idk imo tbh thing things stuff way much many well good great nice cool sure right still even " +
        "i'm you're it's that's don't can't won't didn't doesn't isn't aren't i've i'll we're they're what's there's who's").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    // The candidate words of each turn, worked out once: a stored turn never changes, and every message looks at the
    // last 20 again. Keyed by the turn itself, so the entry goes when the turn does.
    private static readonly ConditionalWeakTable<DialogueTurn, string[]> CandidatesOf = new();

    /// <summary>The <paramref name="max"/> topics of the newest <paramref name="window"/> turns, most prominent first.</summary>
    public static IReadOnlyList<string> Extract(IReadOnlyList<DialogueTurn> turns, int max = 5, int window = 20)
    {
        ArgumentNullException.ThrowIfNull(turns);
        if (max <= 0 || turns.Count == 0)
        {
            return [];
        }

        var speakers = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var turn in turns)
        {
            speakers.Add(turn.Speaker);
        }

        var scores = new Dictionary<string, (double Score, int LastSeen)>(StringComparer.Ordinal);
        var start = Math.Max(0, turns.Count - window);
        var weight = 1.0;
        for (var i = turns.Count - 1; i >= start; i--, weight *= Decay)
        {
            foreach (var word in CandidatesOf.GetValue(turns[i], Candidates))
            {
                if (speakers.Contains(word))
                {
                    continue;
                }

                ref var seen = ref CollectionsMarshal.GetValueRefOrAddDefault(scores, word, out var exists);
                seen = exists ? (seen.Score + weight, seen.LastSeen) : (weight, i);
            }
        }

        var ranked = new List<(string Word, double Score, int LastSeen)>(scores.Count);
        foreach (var (word, (score, lastSeen)) in scores)
        {
            ranked.Add((word, score, lastSeen));
        }

        ranked.Sort(static (a, b) =>
        {
            var order = b.Score.CompareTo(a.Score);
            order = order != 0 ? order : b.LastSeen.CompareTo(a.LastSeen);
            return order != 0 ? order : string.CompareOrdinal(a.Word, b.Word);
        });
        var topics = new string[Math.Min(max, ranked.Count)];
        for (var i = 0; i < topics.Length; i++)
        {
            topics[i] = ranked[i].Word;
        }

        return topics;
    }

    /// <summary>A turn's words that can be topics, lower-cased, in order: content words, neither emotes nor numbers.</summary>
    private static string[] Candidates(DialogueTurn turn)
    {
        var words = new List<string>();
        foreach (var word in Words(turn.Text))
        {
            if (word.Length < MinimumLength || StopWords.Contains(word) || turn.Emotes.Contains(word, StringComparer.Ordinal) || word.All(char.IsDigit))
            {
                continue;
            }

            words.Add(word.ToLowerInvariant());
        }

        return [.. words];
    }

    private static IEnumerable<string> Words(string text)
    {
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var inWord = i < text.Length && (char.IsLetterOrDigit(text[i]) || (text[i] == '\'' && start >= 0) || (text[i] == '-' && start >= 0));
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                yield return text[start..i].Trim('\'', '-');
                start = -1;
            }
        }
    }
}
