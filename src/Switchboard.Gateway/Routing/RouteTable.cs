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

    public RouteTable(SwitchboardOptions options, IReadOnlyDictionary<string, IChatProvider> providers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(providers);
        Models = [.. options.Models.Select(m => new ModelRoute(
            m.Name,
            [.. m.Deployments.Select(d => new Deployment(providers[d.Provider], d.Model ?? m.Name, d.Weight, d.InputPerMillion, d.OutputPerMillion))],
            options.Routing.Fallbacks.TryGetValue(m.Name, out var fallbacks) ? [.. fallbacks] : []))];

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
