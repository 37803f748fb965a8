using Switchboard.Mock.Fixtures;

namespace Switchboard.Mock.Matching;

/// <summary>
/// An immutable, indexed set of fixtures. Fixtures with an exact history, conversation, last user message
/// or model are filed under that key, so matching a request scores only the fixtures filed under the
/// request's keys plus the few without a key, not the whole set. Only a miss scans everything, to name
/// the closest fixtures.
/// </summary>
public sealed class FixtureSet
{
    private const int NearMissCount = 3;

    // One index per kind of key (history, conversation, last user message, model), keyed without the kind's
    // prefix so that a request's key is looked up as it is. A kind no fixture is filed under is never computed
    // for a request: a Rasa prompt found by its history is not normalized whole for a last-user-message key.
    private readonly Dictionary<string, List<int>> _byHistory = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _byConversation = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _byLastUser = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _byModel = new(StringComparer.Ordinal);
    private readonly List<int> _unindexed = [];
    // The history index looked up by a key that is not a string yet (a scanned body's, written into a pooled buffer).
    private readonly Dictionary<string, List<int>>.AlternateLookup<ReadOnlySpan<char>> _byHistorySpan;

    private FixtureSet(IReadOnlyList<Fixture> fixtures)
    {
        Fixtures = fixtures;
        _byHistorySpan = _byHistory.GetAlternateLookup<ReadOnlySpan<char>>();
        for (var i = 0; i < fixtures.Count; i++)
        {
            var key = fixtures[i].Matchers.Select(m => m.IndexKey).Where(k => k is not null).OrderBy(KeyRank).FirstOrDefault();
            if (key is null)
            {
                _unindexed.Add(i);
            }
            else
            {
                var index = key[0] switch
                {
                    'h' => _byHistory,
                    'c' => _byConversation,
                    'u' => _byLastUser,
                    _ => _byModel,
                };
                var value = key[2..];
                if (!index.TryGetValue(value, out var bucket))
                {
                    index[value] = bucket = [];
                }

                bucket.Add(i);
            }

            HasScenarios |= fixtures[i].Scenario is not null;
        }
    }

    public static FixtureSet Empty { get; } = new([]);

    /// <summary>The fixtures in load order, which breaks the last ties.</summary>
    public IReadOnlyList<Fixture> Fixtures { get; }

    public int Count => Fixtures.Count;

    /// <summary>Whether any fixture belongs to a scenario (and so whether matching depends on scenario states).</summary>
    public bool HasScenarios { get; }

    /// <summary>Builds a set; duplicate ids are made unique with a <c>#n</c> suffix.</summary>
    public static FixtureSet Create(IEnumerable<Fixture> fixtures)
    {
        ArgumentNullException.ThrowIfNull(fixtures);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<Fixture>();
        foreach (var fixture in fixtures)
        {
            var id = fixture.Id;
            for (var n = 2; !seen.Add(id); n++)
            {
                id = $"{fixture.Id}#{n}";
            }

            list.Add(id == fixture.Id ? fixture : fixture with { Id = id });
        }

        return new FixtureSet(list);
    }

    public Fixture? Find(string id) => Fixtures.FirstOrDefault(f => f.Id == id);

    /// <summary>
    /// Matches a request. <paramref name="scenarioState"/> tells the current state of a scenario; fixtures whose
    /// required state differs do not match.
    /// </summary>
    public MatchOutcome Match(MockRequest request, Func<string, string>? scenarioState = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var candidates = Candidates(request);
        // The common case (an exact history, a conversation) has one match: no list for it.
        var first = -1;
        List<int>? matched = null;
        foreach (var i in candidates)
        {
            var fixture = Fixtures[i];
            if (IsFullMatch(fixture, request) && StateAllows(fixture, scenarioState))
            {
                if (first < 0)
                {
                    first = i;
                }
                else
                {
                    (matched ??= [first]).Add(i);
                }
            }
        }

        if (first < 0)
        {
            return new MatchOutcome { NearMisses = FindNearMisses(request, scenarioState), CandidatesScored = candidates.Count };
        }

        if (matched is null)
        {
            // Nothing to rank, no ties.
            return new MatchOutcome { Fixture = Fixtures[first], CandidatesScored = candidates.Count };
        }

        matched.Sort((a, b) => Compare(Fixtures[a], a, Fixtures[b], b));
        var best = Fixtures[matched[0]];
        var ties = matched.Skip(1).Select(i => Fixtures[i])
            .Where(f => f.Priority == best.Priority && f.Specificity == best.Specificity)
            .ToList();
        return new MatchOutcome { Fixture = best, Ties = ties, CandidatesScored = candidates.Count };
    }

    /// <summary>
    /// The positions of the fixtures worth scoring for this request, in load order. When they are one index's bucket
    /// alone, that is the bucket itself (no list is made): the caller must not change it.
    /// </summary>
    internal List<int> Candidates(MockRequest request)
    {
        // Each kind's bucket for the request, if any; most requests find one bucket and nothing unindexed.
        List<int>? history = null, conversation = null, lastUser = null, model = null;
        if (_byHistory.Count > 0)
        {
            request.TryGetByHistoryKey(_byHistorySpan, out history);
        }

        if (_byConversation.Count > 0)
        {
            _byConversation.TryGetValue(request.ConversationKey, out conversation);
        }

        if (_byLastUser.Count > 0)
        {
            _byLastUser.TryGetValue(request.LastUserMessage, out lastUser);
        }

        if (_byModel.Count > 0)
        {
            _byModel.TryGetValue(request.Model, out model);
        }

        var found = (history is null ? 0 : 1) + (conversation is null ? 0 : 1) + (lastUser is null ? 0 : 1) + (model is null ? 0 : 1);
        if (found == 0)
        {
            return _unindexed;
        }

        if (found == 1 && _unindexed.Count == 0)
        {
            return history ?? conversation ?? lastUser ?? model!;
        }

        var result = new List<int>(_unindexed);
        AddBucket(result, history);
        AddBucket(result, conversation);
        AddBucket(result, lastUser);
        AddBucket(result, model);
        result.Sort();
        return result;
    }

    private static void AddBucket(List<int> result, List<int>? bucket)
    {
        if (bucket is not null)
        {
            result.AddRange(bucket);
        }
    }

    private static bool IsFullMatch(Fixture fixture, MockRequest request)
    {
        // Indexed, not enumerated: no enumerator is made per fixture scored.
        var matchers = fixture.Matchers;
        for (var i = 0; i < matchers.Count; i++)
        {
            if (matchers[i].Score(request) < 1)
            {
                return false;
            }
        }

        return true;
    }

    private static bool StateAllows(Fixture fixture, Func<string, string>? scenarioState) =>
        fixture.Scenario is null || fixture.RequiredState is null || scenarioState is null
        || string.Equals(scenarioState(fixture.Scenario), fixture.RequiredState, StringComparison.Ordinal);

    // Higher priority first, then more specific, then earlier in load order.
    private static int Compare(Fixture a, int orderA, Fixture b, int orderB)
    {
        var byPriority = b.Priority.CompareTo(a.Priority);
        if (byPriority != 0)
        {
            return byPriority;
        }

        var bySpecificity = b.Specificity.CompareTo(a.Specificity);
        return bySpecificity != 0 ? bySpecificity : orderA.CompareTo(orderB);
    }

    private List<NearMiss> FindNearMisses(MockRequest request, Func<string, string>? scenarioState)
    {
        var scored = new List<(double Score, int Order)>();
        for (var i = 0; i < Fixtures.Count; i++)
        {
            var fixture = Fixtures[i];
            var score = fixture.Matchers.Count == 0 ? 1 : fixture.Matchers.Average(m => m.Score(request));
            if (!StateAllows(fixture, scenarioState))
            {
                score *= 0.99;
            }

            if (score > 0)
            {
                scored.Add((score, i));
            }
        }

        return [.. scored
            .OrderByDescending(s => s.Score)
            .ThenBy(s => s.Order)
            .Take(NearMissCount)
            .Select(s => new NearMiss(Fixtures[s.Order], s.Score, Explain(Fixtures[s.Order], request, scenarioState)))];
    }

    private static List<string> Explain(Fixture fixture, MockRequest request, Func<string, string>? scenarioState)
    {
        var differences = fixture.Matchers.Where(m => m.Score(request) < 1).Select(m => m.Explain(request)).ToList();
        if (!StateAllows(fixture, scenarioState))
        {
            differences.Add($"scenario '{fixture.Scenario}' is in state '{scenarioState!(fixture.Scenario!)}', the fixture needs '{fixture.RequiredState}'");
        }

        return differences;
    }

    private static int KeyRank(string? key) => key![0] switch
    {
        'h' => 0,
        'c' => 1,
        'u' => 2,
        _ => 3,
    };
}
