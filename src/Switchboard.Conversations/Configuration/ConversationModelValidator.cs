using Microsoft.Extensions.Options;
using Switchboard.Gateway.Configuration;

namespace Switchboard.Conversations.Configuration;

/// <summary>Checks that <c>conversations.model</c> and <c>conversations.summary.model</c> are models the gateway serves.</summary>
public sealed class ConversationModelValidator(IOptions<SwitchboardOptions> gateway) : IValidateOptions<ConversationsOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ConversationsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var models = gateway.Value.Models;
        var known = models.Select(m => m.Name).Concat(models.SelectMany(m => m.Aliases)).ToHashSet(StringComparer.Ordinal);
        var failures = new List<string>();
        if (options.Model is { } model && !known.Contains(model))
        {
            failures.Add($"conversations.model: '{model}' is not one of the models ({string.Join(", ", models.Select(m => m.Name))}).");
        }

        if (options.Summary.Model is { } summaryModel && !known.Contains(summaryModel))
        {
            failures.Add($"conversations.summary.model: '{summaryModel}' is not one of the models ({string.Join(", ", models.Select(m => m.Name))}).");
        }

        if (options.Enabled && options.Model is null && models.Count == 0)
        {
            failures.Add("conversations.model: no model to answer with; add one under models: or set conversations.enabled: false.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
