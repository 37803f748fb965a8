using Microsoft.Extensions.Options;

namespace Switchboard.Gateway.Configuration;

/// <summary>Checks <c>models:</c>: names and aliases unique, each with deployments on known providers, sensible weights and prices.</summary>
public sealed class ModelsSectionValidator : IValidateOptions<SwitchboardOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SwitchboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var providerNames = options.Providers.Select(p => p.Name).Where(n => !string.IsNullOrWhiteSpace(n)).Distinct(StringComparer.Ordinal).ToList();
        var providers = string.Join(", ", providerNames);
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
                var at = $"{key}.deployments[{d}]";
                if (string.IsNullOrWhiteSpace(deployment.Provider))
                {
                    failures.Add($"{at}.provider: missing; name one of the providers ({providers}).");
                }
                else if (!providerNames.Contains(deployment.Provider, StringComparer.Ordinal))
                {
                    failures.Add($"{at}.provider: '{deployment.Provider}' is not one of the providers ({providers}).");
                }

                if (deployment.Weight <= 0 || double.IsNaN(deployment.Weight))
                {
                    failures.Add($"{at}.weight: must be greater than 0.");
                }

                if (deployment.InputPerMillion < 0 || deployment.OutputPerMillion < 0)
                {
                    failures.Add($"{at}: prices cannot be negative.");
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

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Every model name and alias, for the sections that refer to models.</summary>
    internal static HashSet<string> NamesOf(SwitchboardOptions options)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var model in options.Models)
        {
            names.Add(model.Name);
            names.UnionWith(model.Aliases);
        }

        return names;
    }
}
