using Microsoft.Extensions.Options;
using Switchboard.Gateway.Routing;

namespace Switchboard.Gateway.Configuration;

/// <summary>Checks <c>routing:</c>: rules and fallbacks name known models; retries, timeout, policy and circuit breaking in range.</summary>
public sealed class RoutingSectionValidator(IEnumerable<ILoadBalancingPolicy> loadBalancingPolicies) : IValidateOptions<SwitchboardOptions>
{
    private readonly HashSet<string> _policies =
        loadBalancingPolicies.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SwitchboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var modelNames = ModelsSectionValidator.NamesOf(options);
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

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
