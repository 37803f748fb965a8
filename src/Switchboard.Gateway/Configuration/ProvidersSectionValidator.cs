using Microsoft.Extensions.Options;
using Switchboard.Providers;

namespace Switchboard.Gateway.Configuration;

/// <summary>Checks <c>providers:</c>: names, types, and each entry as its kind's factory sees it.</summary>
public sealed class ProvidersSectionValidator(IEnumerable<IChatProviderFactory> providerFactories) : IValidateOptions<SwitchboardOptions>
{
    private readonly Dictionary<string, IChatProviderFactory> _factories =
        providerFactories.ToDictionary(f => f.Type, StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SwitchboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (options.Providers.Count == 0)
        {
            failures.Add($"providers: at least one provider is needed (type: {string.Join(", ", _factories.Keys.Order(StringComparer.Ordinal))}).");
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

            if (string.IsNullOrWhiteSpace(provider.Type))
            {
                failures.Add($"{key}.type: missing; use one of: {string.Join(", ", _factories.Keys.Order(StringComparer.Ordinal))}.");
                continue;
            }

            if (!_factories.TryGetValue(provider.Type, out var factory))
            {
                failures.Add($"{key}.type: '{provider.Type}' is not a provider type; use one of: {string.Join(", ", _factories.Keys.Order(StringComparer.Ordinal))}.");
                continue;
            }

            // Factories name the key themselves (providers[NAME].base_url).
            failures.AddRange(factory.Validate(provider));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
