using Microsoft.Extensions.Options;

namespace Switchboard.Gateway.Configuration;

/// <summary>Checks <c>limits:</c> and the <c>rpm</c>/<c>tpm</c> of models and deployments, naming each key as the file spells it.</summary>
public sealed class LimitsOptionsValidator : IValidateOptions<SwitchboardOptions>
{
    public ValidateOptionsResult Validate(string? name, SwitchboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var limits = options.Limits;
        if (LimitsSettings.ParseAlgorithm(limits.Algorithm) is null)
        {
            failures.Add($"limits.algorithm: '{limits.Algorithm}' is not an algorithm; use token_bucket or sliding_window.");
        }

        CheckRates("limits.per_key", limits.PerKey.Rpm, limits.PerKey.Tpm, failures);
        CheckRates("limits.per_user", limits.PerUser.Rpm, limits.PerUser.Tpm, failures);
        if (limits.CompletionTokensEstimate < 0)
        {
            failures.Add("limits.completion_tokens_estimate: must be 0 or more.");
        }

        if (limits.RedisTimeout <= TimeSpan.Zero)
        {
            failures.Add("limits.redis_timeout: must be a positive duration such as 500ms.");
        }

        for (var i = 0; i < options.Models.Count; i++)
        {
            var model = options.Models[i];
            CheckRates($"models[{i}]", model.Rpm, model.Tpm, failures);
            for (var j = 0; j < model.Deployments.Count; j++)
            {
                CheckRates($"models[{i}].deployments[{j}]", model.Deployments[j].Rpm, model.Deployments[j].Tpm, failures);
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckRates(string key, long rpm, long tpm, List<string> failures)
    {
        if (rpm < 0)
        {
            failures.Add($"{key}.rpm: must be 0 (no limit) or more.");
        }

        if (tpm < 0)
        {
            failures.Add($"{key}.tpm: must be 0 (no limit) or more.");
        }
    }
}
