using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Switchboard.Errors;
using Switchboard.Mock.Fixtures;
using Switchboard.Mock.Matching;
using Switchboard.Mock.Replies;
using Switchboard.Mock.Text;
using Switchboard.Tokens;

namespace Switchboard.Mock;

/// <summary>
/// The mock: a live fixture set (swapped atomically when files change or fixtures are added), per-fixture
/// sequence counters and scenario states, matching and replying. One engine serves the HTTP mock server
/// and the gateway's <c>mock</c> provider alike. Thread-safe.
/// </summary>
public sealed class MockEngine
{
    /// <summary>The state every scenario starts in.</summary>
    public const string StartState = "start";

    /// <summary>The error code of a miss.</summary>
    public const string NoMatchCode = "fixture_not_found";

    /// <summary>The error code of an ambiguous match in strict mode.</summary>
    public const string AmbiguousCode = "ambiguous_fixtures";

    private readonly Lock _gate = new();
    // Matching reads scenario states, answering moves sequences and scenarios: one critical section, so that two
    // concurrent requests can never both take the same turn or both match a state one of them leaves. Matching is cheap.
    private readonly Lock _stateGate = new();
    private readonly SortedDictionary<string, IReadOnlyList<Fixture>> _fileSources = new(StringComparer.Ordinal);
    private readonly List<Fixture> _runtime = [];
    private IReadOnlyList<Fixture> _code = [];
    // One counter per fixture id, moved with Interlocked: concurrent requests for the same fixtures do not queue on
    // the dictionary's few lock stripes (AddOrUpdate locks), and each still gets a turn of its own.
    private readonly ConcurrentDictionary<string, StrongBox<int>> _hits = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _scenarios = new(StringComparer.Ordinal);
    private FixtureSet _set = FixtureSet.Empty;
    private long _generation;
    // ScenarioState as a delegate, made once (a method group converted on every request is a new delegate each time).
    private readonly Func<string, string> _scenarioState;

    public MockEngine(MockEngineOptions? options = null, ITokenCounter? tokens = null, TimeProvider? time = null)
    {
        Options = options ?? new MockEngineOptions();
        Responder = new MockResponder(tokens ?? TiktokenTokenCounter.Instance, time ?? TimeProvider.System);
        _scenarioState = ScenarioState;
    }

    public MockEngineOptions Options { get; }

    public MockResponder Responder { get; }

    /// <summary>The fixtures in force now.</summary>
    public FixtureSet Fixtures => Volatile.Read(ref _set);

    /// <summary>Grows by one every time the fixture set changes.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>Models the fixtures mention, plus the echo model when it answers.</summary>
    public IReadOnlyList<string> Models
    {
        get
        {
            var set = Fixtures;
            var models = set.Fixtures.SelectMany(f => f.Models).Where(m => !string.IsNullOrWhiteSpace(m)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (set.Count == 0 && Options.EchoWhenEmpty)
            {
                models.Add(MockModels.Echo);
            }

            return models;
        }
    }

    /// <summary>Replaces the fixtures of one file (or other named source); an empty list removes it.</summary>
    public void SetFileFixtures(string path, IReadOnlyList<Fixture> fixtures)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(fixtures);
        lock (_gate)
        {
            _fileSources[path] = fixtures;
            Rebuild();
        }
    }

    /// <summary>Replaces the fixtures of all files at once; files not named are dropped.</summary>
    public void SetAllFileFixtures(IReadOnlyDictionary<string, IReadOnlyList<Fixture>> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        lock (_gate)
        {
            _fileSources.Clear();
            foreach (var (path, fixtures) in files)
            {
                _fileSources[path] = fixtures;
            }

            Rebuild();
        }
    }

    public bool RemoveFile(string path)
    {
        lock (_gate)
        {
            var removed = _fileSources.Remove(path);
            if (removed)
            {
                Rebuild();
            }

            return removed;
        }
    }

    /// <summary>Sets the fixtures given in code at start-up; they come after the files and survive a reset.</summary>
    public void SetCodeFixtures(IReadOnlyList<Fixture> fixtures)
    {
        ArgumentNullException.ThrowIfNull(fixtures);
        lock (_gate)
        {
            _code = fixtures;
            Rebuild();
        }
    }

    /// <summary>Adds fixtures at run time (code, admin API, record mode); they come after the files in load order.</summary>
    public IReadOnlyList<Fixture> Add(IEnumerable<Fixture> fixtures)
    {
        ArgumentNullException.ThrowIfNull(fixtures);
        lock (_gate)
        {
            var start = _runtime.Count;
            _runtime.AddRange(fixtures);
            Rebuild();
            // Ids may have been made unique while building the set; return them as they are now.
            return [.. _set.Fixtures.Skip(_set.Count - (_runtime.Count - start))];
        }
    }

    /// <summary>Removes one fixture by id, from the run-time ones or until its file is read again.</summary>
    public bool Remove(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (_gate)
        {
            var fixture = _set.Find(id);
            if (fixture is null)
            {
                return false;
            }

            var runtimeIndex = FindSame(_runtime, fixture);
            var codeIndex = FindSame(_code, fixture);
            if (runtimeIndex >= 0)
            {
                _runtime.RemoveAt(runtimeIndex);
            }
            else if (codeIndex >= 0)
            {
                _code = [.. _code.Where((_, i) => i != codeIndex)];
            }
            else
            {
                foreach (var (path, list) in _fileSources)
                {
                    var index = FindSame(list, fixture);
                    if (index >= 0)
                    {
                        _fileSources[path] = [.. list.Where((_, i) => i != index)];
                        break;
                    }
                }
            }

            Rebuild();
            return true;
        }
    }

    /// <summary>Removes every fixture added at run time and returns how many; file and start-up fixtures stay.</summary>
    public int ClearRuntime()
    {
        lock (_gate)
        {
            var count = _runtime.Count;
            _runtime.Clear();
            Rebuild();
            return count;
        }
    }

    /// <summary>Starts every sequence and scenario again from the beginning.</summary>
    public void ResetState()
    {
        lock (_stateGate)
        {
            _hits.Clear();
            _scenarios.Clear();
        }
    }

    /// <summary>The state a scenario is in now.</summary>
    public string ScenarioState(string scenario) => _scenarios.GetValueOrDefault(scenario, StartState);

    /// <summary>Matches a request without answering it or moving any sequence or scenario (for diagnostics and benchmarks).</summary>
    public MatchOutcome Match(MockRequest request) => Fixtures.Match(request, _scenarioState);

    /// <summary>Matches and answers a request: the one entry point of the server and the provider.</summary>
    public async ValueTask<MockExchange> HandleAsync(MockRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var set = Fixtures;
        if (set.Count == 0 && Options.EchoWhenEmpty)
        {
            var echo = Responder.Echo(request, cancellationToken);
            MockReply reply = MockResponder.AnswerTooLarge(echo) is { } tooLarge
                ? new MockReply.Failure(tooLarge)
                : request.IsStreaming
                ? new MockReply.Stream(Responder.StreamAsync(echo, new FixtureResponse(), request.Request.IncludesStreamUsage, CancellationToken.None))
                : new MockReply.Completion(echo);
            return new MockExchange(request, new MatchOutcome(), reply) { IsEcho = true };
        }

        MatchOutcome outcome;
        int index;
        if (set.HasScenarios)
        {
            lock (_stateGate)
            {
                outcome = set.Match(request, _scenarioState);
                index = TakeTurn(outcome);
            }
        }
        else
        {
            // Without scenarios no answer depends on state that another request could change meanwhile: matching needs
            // no lock, and the sequence counter is taken atomically by itself.
            outcome = set.Match(request, _scenarioState);
            index = TakeTurn(outcome);
        }

        var fixture = outcome.Fixture;
        if (fixture is null)
        {
            return new MockExchange(request, outcome, new MockReply.Failure(MissError(request, outcome)));
        }

        if (outcome.IsAmbiguous && Options.Strict)
        {
            return new MockExchange(request, outcome, new MockReply.Failure(AmbiguousError(request, outcome)));
        }

        var answer = await Responder.ReplyAsync(fixture.Responses[index], request, cancellationToken);
        return new MockExchange(request, outcome, answer) { Turn = index };
    }

    /// <summary>The 404 of a miss, naming the closest fixtures and what differs.</summary>
    public static GatewayError MissError(MockRequest request, MatchOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(outcome);
        var message = new StringBuilder("No mock fixture matches this request (").Append(request.Summarize()).Append(").");
        if (outcome.NearMisses.Count == 0)
        {
            message.Append(" No fixture is even close.");
        }
        else
        {
            message.Append(" Closest: ");
            for (var i = 0; i < outcome.NearMisses.Count; i++)
            {
                message.Append(i == 0 ? string.Empty : " ").Append(CultureInfo.InvariantCulture, $"{i + 1}) ").Append(outcome.NearMisses[i]).Append('.');
            }
        }

        return GatewayError.NotFound(message.ToString(), NoMatchCode);
    }

    /// <summary>The 409 of an ambiguous match in strict mode.</summary>
    public static GatewayError AmbiguousError(MockRequest request, MatchOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(outcome);
        var names = string.Join(", ", new[] { outcome.Fixture! }.Concat(outcome.Ties).Select(f => f.ToString()));
        return new GatewayError
        {
            StatusCode = 409,
            Type = ErrorTypes.InvalidRequest,
            Message = $"Strict mode: the request ({TextNormalizer.Shorten(request.Summarize(), 200)}) matches several fixtures equally well: {names}. Give one a higher 'priority' or a more specific match.",
            Code = AmbiguousCode,
        };
    }

    // Moves the winner's sequence (and scenario): which of its responses answers. Called under the state lock when
    // the set has scenarios.
    private int TakeTurn(MatchOutcome outcome)
    {
        var fixture = outcome.Fixture;
        if (fixture is null || (outcome.IsAmbiguous && Options.Strict))
        {
            return 0;
        }

        var turn = Interlocked.Increment(ref _hits.GetOrAdd(fixture.Id, static _ => new StrongBox<int>(-1)).Value);
        if (fixture.Scenario is { } scenario && fixture.NextState is { } next)
        {
            _scenarios[scenario] = next;
        }

        return fixture.SequenceMode == SequenceMode.Cycle ? turn % fixture.Responses.Count : Math.Min(turn, fixture.Responses.Count - 1);
    }

    private static int FindSame(IReadOnlyList<Fixture> list, Fixture fixture)
    {
        for (var i = 0; i < list.Count; i++)
        {
            // The set may have renamed the id to make it unique; the matcher list is shared by both copies.
            if (list[i].Name == fixture.Name && ReferenceEquals(list[i].Matchers, fixture.Matchers) && ReferenceEquals(list[i].Responses, fixture.Responses))
            {
                return i;
            }
        }

        return -1;
    }

    private void Rebuild()
    {
        var set = FixtureSet.Create(_fileSources.Values.SelectMany(f => f).Concat(_code).Concat(_runtime));
        // What a response answers whatever the request (a saved body read, its bytes) is worked out here, once, not on
        // the first request; responses kept from the previous set are already prepared.
        foreach (var fixture in set.Fixtures)
        {
            foreach (var response in fixture.Responses)
            {
                Responder.Prepare(response);
            }
        }

        Volatile.Write(ref _set, set);
        Interlocked.Increment(ref _generation);
    }
}
