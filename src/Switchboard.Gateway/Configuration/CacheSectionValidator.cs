using Microsoft.Extensions.Options;

namespace Switchboard.Gateway.Configuration;

/// <summary>
/// Checks what <c>cache:</c> says about other sections: the semantic cache's embedder is <c>local</c> or one of the
/// models. The section's own values are checked by the cache library's <c>CacheOptionsValidator</c>, as the
/// options it binds on its own; every other section has its validator (<see cref="ProvidersSectionValidator"/>,
/// <see cref="ModelsSectionValidator"/>, <see cref="RoutingSectionValidator"/>, <see cref="ServerSectionValidator"/>,
/// <see cref="LimitsOptionsValidator"/>, <see cref="ContentStagesOptionsValidator"/>; <c>database:</c> and
/// <c>auth:</c> in their own projects). Every failure names the key as the file spells it.
/// </summary>
public sealed class CacheSectionValidator : IValidateOptions<SwitchboardOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SwitchboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var semantic = options.Cache.Semantic;
        if (semantic.Enabled && semantic.Embedder != "local" && !options.Models.Any(m => m.Name == semantic.Embedder || m.Aliases.Contains(semantic.Embedder)))
        {
            return ValidateOptionsResult.Fail($"cache.semantic.embedder: '{semantic.Embedder}' is neither local nor one of the models ({string.Join(", ", options.Models.Select(m => m.Name))}).");
        }

        return ValidateOptionsResult.Success;
    }
}
