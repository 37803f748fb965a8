using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Switchboard.Gateway.Configuration;

/// <summary>Checks the settings of response cleaning and prompt compression: <c>models[].clean_reasoning</c> and <c>cleaning.patterns</c>.</summary>
public sealed class ContentStagesOptionsValidator : IValidateOptions<SwitchboardOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SwitchboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        for (var i = 0; i < options.Models.Count; i++)
        {
            var reasoning = options.Models[i].CleanReasoning;
            if (!string.Equals(reasoning, "drop", StringComparison.OrdinalIgnoreCase) && !string.Equals(reasoning, "move", StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"models[{i}].clean_reasoning: '{reasoning}' is not one of drop, move.");
            }
        }

        for (var i = 0; i < options.Cleaning.Patterns.Count; i++)
        {
            try
            {
                _ = new Regex(options.Cleaning.Patterns[i], RegexOptions.None, TimeSpan.FromMilliseconds(100));
            }
            catch (ArgumentException e)
            {
                failures.Add($"cleaning.patterns[{i}]: not a valid regular expression ({e.Message}).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
