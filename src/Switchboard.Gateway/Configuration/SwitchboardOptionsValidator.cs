using Microsoft.Extensions.Options;

namespace Switchboard.Gateway.Configuration;

/// <summary>
/// Checks the sections that have no validator of their own yet (<c>cache:</c>, <c>database:</c>). Each section has
/// its own validator (<see cref="ProvidersSectionValidator"/>, <see cref="ModelsSectionValidator"/>,
/// <see cref="RoutingSectionValidator"/>, <see cref="ServerSectionValidator"/>); every failure names the key as it
/// is spelt in the file (<c>models[1].deployments[0].provider</c>) and says what is wrong.
/// </summary>
public sealed class SwitchboardOptionsValidator : IValidateOptions<SwitchboardOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SwitchboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Cache.Semantic.Threshold is <= 0 or > 1)
        {
            failures.Add("cache.semantic.threshold: must be greater than 0 and at most 1.");
        }

        if (options.Database.Provider is not ("sqlite" or "postgres" or "postgresql"))
        {
            failures.Add($"database.provider: '{options.Database.Provider}' is not supported; use sqlite or postgres.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
