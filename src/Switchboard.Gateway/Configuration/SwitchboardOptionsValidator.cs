using Microsoft.Extensions.Options;
using Switchboard.Caching.Configuration;
using Switchboard.Gateway.Routing;
using Switchboard.Providers;

namespace Switchboard.Gateway.Configuration;

/// <summary>
/// Checks the configuration as a whole at start-up (<c>ValidateOnStart</c>): every failure names the key as
/// it is spelt in the file (<c>models[1].deployments[0].provider</c>) and says what is wrong.
/// </summary>
public sealed class SwitchboardOptionsValidator(
    IEnumerable<IChatProviderFactory> providerFactories,
    IEnumerable<ILoadBalancingPolicy> loadBalancingPolicies) : IValidateOptions<SwitchboardOptions>
{
    private readonly Dictionary<string, IChatProviderFactory> _factories =
        providerFactories.ToDictionary(f => f.Type, StringComparer.OrdinalIgnoreCase);

    private readonly HashSet<string> _policies =
        loadBalancingPolicies.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);

    public ValidateOptionsResult Validate(string? name, SwitchboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var providerNames = ValidateProviders(options, failures);
        var modelNames = ValidateModels(options, providerNames, failures);
        ValidateRouting(options, modelNames, failures);
        ValidateOthers(options, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private HashSet<string> ValidateProviders(SwitchboardOptions options, List<string> failures)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (options.Providers.Count == 0)
        {
            failures.Add("providers: at least one provider is needed (type: openai, ollama or mock).");
        }

        for (var i = 0; i < options.Providers.Count; i++)
        {
            var provider = options.Providers[i];
            var key = $"providers[{i}]";
            if (string.IsNullOrWhiteSpace(provider.Name))
            {
                failures.Add($"{key}.name: a provider needs a name.");
            }
            else if (!names.Add(provider.Name))
            {
                failures.Add($"{key}.name: '{provider.Name}' is used by another provider too.");
            }

            if (!_factories.TryGetValue(provider.Type ?? string.Empty, out var factory))
            {
                failures.Add($"{key}.type: '{provider.Type}' is not a provider type; use one of: {string.Join(", ", _factories.Keys.Order(StringComparer.Ordinal))}.");
                continue;
            }

            // Factories name the key themselves (providers[NAME].base_url).
            failures.AddRange(factory.Validate(provider));
        }

        return names;
    }

    private static HashSet<string> ValidateModels(SwitchboardOptions options, HashSet<string> providerNames, List<string> failures)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Models.Count; i++)
        {
            var model = options.Models[i];
            var key = $"models[{i}]";
            if (string.IsNullOrWhiteSpace(model.Name))
            {
                failures.Add($"{key}.name: a model needs a name.");
            }
            else if (!names.Add(model.Name))
            {
                failures.Add($"{key}.name: '{model.Name}' is defined twice.");
            }

            if (model.Deployments.Count == 0)
            {
                failures.Add($"{key}.deployments: '{model.Name}' needs at least one deployment ({{provider: NAME, model: UPSTREAM_MODEL}}).");
            }

            for (var d = 0; d < model.Deployments.Count; d++)
            {
                var deployment = model.Deployments[d];
                if (!providerNames.Contains(deployment.Provider))
                {
                    failures.Add($"{key}.deployments[{d}].provider: '{deployment.Provider}' is not one of the providers ({string.Join(", ", providerNames)}).");
                }

                if (deployment.Weight <= 0 || double.IsNaN(deployment.Weight))
                {
                    failures.Add($"{key}.deployments[{d}].weight: must be greater than 0.");
                }

                if (deployment.InputPerMillion < 0 || deployment.OutputPerMillion < 0)
                {
                    failures.Add($"{key}.deployments[{d}]: prices cannot be negative.");
                }
            }

            if (model.ContextWindow is <= 0)
            {
                failures.Add($"{key}.context_window: must be a number of tokens greater than 0.");
            }

            for (var a = 0; a < model.Aliases.Count; a++)
            {
                if (!names.Add(model.Aliases[a]))
                {
                    failures.Add($"{key}.aliases[{a}]: '{model.Aliases[a]}' is already the name or alias of another model.");
                }
            }
        }

        // Aliases share the model namespace: a model defined after an alias of the same name is also a clash.
        return names;
    }

    private void ValidateRouting(SwitchboardOptions options, HashSet<string> modelNames, List<string> failures)
    {
        var routing = options.Routing;
        for (var i = 0; i < routing.Rules.Count; i++)
        {
            var rule = routing.Rules[i];
            if (string.IsNullOrWhiteSpace(rule.Match))
            {
                failures.Add($"routing.rules[{i}].match: a rule needs a pattern (e.g. \"*gpt-4o*\").");
            }

            if (!modelNames.Contains(rule.Model))
            {
                failures.Add($"routing.rules[{i}].model: '{rule.Model}' is not one of the models.");
            }
        }

        foreach (var (model, fallbacks) in routing.Fallbacks)
        {
            if (!modelNames.Contains(model))
            {
                failures.Add($"routing.fallbacks.{model}: '{model}' is not one of the models.");
            }

            for (var i = 0; i < fallbacks.Count; i++)
            {
                if (!modelNames.Contains(fallbacks[i]))
                {
                    failures.Add($"routing.fallbacks.{model}[{i}]: '{fallbacks[i]}' is not one of the models.");
                }
            }
        }

        if (routing.Retries is < 0 or > 10)
        {
            failures.Add("routing.retries: must be between 0 and 10.");
        }

        if (routing.Timeout <= TimeSpan.Zero)
        {
            failures.Add("routing.timeout: must be greater than zero.");
        }

        if (!_policies.Contains(routing.LoadBalancing))
        {
            failures.Add($"routing.load_balancing: '{routing.LoadBalancing}' is not a policy; use one of: {string.Join(", ", _policies.Order(StringComparer.Ordinal))}.");
        }

        if (routing.CircuitBreaker.Failures is < 0 or > 1000)
        {
            failures.Add("routing.circuit_breaker.failures: must be between 0 (circuit breaking off) and 1000.");
        }

        if (routing.CircuitBreaker.Cooldown <= TimeSpan.Zero || routing.CircuitBreaker.Cooldown > TimeSpan.FromHours(1))
        {
            failures.Add("routing.circuit_breaker.cooldown: must be greater than zero and at most 1h.");
        }
    }

    private static void ValidateOthers(SwitchboardOptions options, List<string> failures)
    {
        var cache = new CacheOptionsValidator().Validate(null, options.Cache);
        if (cache.Failed)
        {
            failures.AddRange(cache.Failures);
        }

        if (options.Cache.Semantic.Enabled && options.Cache.Semantic.Embedder != "local" && !options.Models.Any(m => m.Name == options.Cache.Semantic.Embedder || m.Aliases.Contains(options.Cache.Semantic.Embedder)))
        {
            failures.Add($"cache.semantic.embedder: '{options.Cache.Semantic.Embedder}' is neither local nor one of the models ({string.Join(", ", options.Models.Select(m => m.Name))}).");
        }

        if (options.Server.Port is < 0 or > 65535)
        {
            failures.Add("server.port: must be between 0 and 65535.");
        }

        if (options.Server.MaxBodyBytes <= 0)
        {
            failures.Add("server.max_body_bytes: must be greater than 0.");
        }

        if (options.Server.MaxConnections is < 1)
        {
            failures.Add("server.max_connections: must be at least 1.");
        }

        if (options.Server.MaxUpgradedConnections is < 0)
        {
            failures.Add("server.max_upgraded_connections: must be at least 0.");
        }

        if (options.Server.ShutdownTimeout <= TimeSpan.Zero)
        {
            failures.Add("server.shutdown_timeout: must be longer than zero.");
        }
    }
}
