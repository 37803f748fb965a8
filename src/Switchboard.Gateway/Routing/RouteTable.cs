using Switchboard.Cleaning;
using Switchboard.Gateway.Configuration;
using Switchboard.Pipeline;
using Switchboard.Text;

namespace Switchboard.Gateway.Routing;

/// <summary>
/// The runtime routing model built once from <see cref="SwitchboardOptions"/>: model names and aliases,
/// rules, deployments bound to provider instances. Immutable, so a reload can swap it atomically.
/// </summary>
public sealed class RouteTable
{
    private readonly Dictionary<string, ModelRoute> _byName;
    private readonly List<(GlobPattern Pattern, ModelRoute Route)> _rules;

    /// <summary>Builds the table from <paramref name="options"/>, binding deployments to <paramref name="providers"/>; <paramref name="timeProvider"/> drives the circuit breakers.</summary>
    public RouteTable(SwitchboardOptions options, IReadOnlyDictionary<string, IChatProvider> providers, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(providers);
        ArgumentNullException.ThrowIfNull(timeProvider);

        // One breaker per upstream model: when two public models use the same provider/model, both see it fail.
        // A scripted provider (the built-in mock) never opens: its failures are faults a fixture asked for, not an
        // unhealthy upstream, and a test that injects a few 500s must not turn the next, unrelated fixtures into 503s.
        var breaker = options.Routing.CircuitBreaker;
        var circuits = new Dictionary<string, CircuitBreaker>(StringComparer.Ordinal);
        CircuitBreaker CircuitOf(string provider, string model) =>
            circuits.TryGetValue(provider + "/" + model, out var circuit)
                ? circuit
                : circuits[provider + "/" + model] = new CircuitBreaker(
                    providers[provider].Traits.HasFlag(ProviderTraits.Scripted) ? 0 : breaker.Failures,
                    breaker.Cooldown,
                    timeProvider);

        Models = [.. options.Models.Select(m => new ModelRoute(
            m.Name,
            [.. m.Deployments.Select(d => new Deployment(
                providers[d.Provider], d.Model ?? m.Name, d.Weight, d.InputPerMillion, d.OutputPerMillion, CircuitOf(d.Provider, d.Model ?? m.Name)))],
            options.Routing.Fallbacks.TryGetValue(m.Name, out var fallbacks) ? [.. fallbacks] : [])
        {
            Cleaning = m.Clean ? CleaningOf(m, options.Cleaning) : null,
            Compress = m.Compress,
            ContextWindow = m.ContextWindow,
        })];
        Circuits = circuits;

        _byName = new Dictionary<string, ModelRoute>(StringComparer.Ordinal);
        foreach (var (model, route) in options.Models.Zip(Models))
        {
            _byName[model.Name] = route;
            foreach (var alias in model.Aliases)
            {
                _byName.TryAdd(alias, route);
            }
        }

        _rules = [.. options.Routing.Rules.Select(r => (new GlobPattern(r.Match), _byName[r.Model]))];
    }

    private static ModelCleaning CleaningOf(ModelOptions model, CleaningOptions cleaning) => new(
        new ResponseCleaner(new ResponseCleanerOptions
        {
            ExtraPatterns = [.. cleaning.Patterns],
            StripRoleTags = cleaning.StripRoleTags,
            StripSpeakerPrefix = cleaning.StripSpeakerPrefix,
            StartsInReasoning = model.ReasoningOpenedByTemplate,
        }),
        new CleaningContext { AssistantNames = [model.Name] },
        string.Equals(model.CleanReasoning, "move", StringComparison.OrdinalIgnoreCase));

    /// <summary>Every deployment's circuit breaker by deployment id (<c>provider/model</c>), for reports.</summary>
    public IReadOnlyDictionary<string, CircuitBreaker> Circuits { get; }

    /// <summary>The public models in configuration order.</summary>
    public IReadOnlyList<ModelRoute> Models { get; }

    /// <summary>Finds the model a requested name means: an exact name or alias first, then the first matching rule.</summary>
    public ModelRoute? Resolve(string requestedModel)
    {
        if (_byName.TryGetValue(requestedModel, out var route))
        {
            return route;
        }

        foreach (var (pattern, target) in _rules)
        {
            if (pattern.IsMatch(requestedModel))
            {
                return target;
            }
        }

        return null;
    }

    /// <summary>Looks up a model by its exact name or alias (no rules), for fallbacks and <c>/v1/models/{id}</c>.</summary>
    public ModelRoute? Find(string name) => _byName.GetValueOrDefault(name);
}
