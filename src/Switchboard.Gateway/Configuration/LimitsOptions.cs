using Microsoft.Extensions.Configuration;

namespace Switchboard.Gateway.Configuration;

/// <summary>
/// The <c>limits:</c> section: how rate limits are counted and the limits that are not a key's own. Per model
/// and per deployment limits are <c>rpm</c>/<c>tpm</c> on <c>models[]</c> and <c>models[].deployments[]</c>; a
/// virtual key's own limits and budget are stored with the key. With <c>redis:</c> set, counters are shared.
/// </summary>
public sealed class LimitsOptions
{
    /// <summary><c>token_bucket</c> (default) or <c>sliding_window</c>.</summary>
    public string Algorithm { get; set; } = "token_bucket";

    /// <summary>Limits for every virtual key that has none of its own.</summary>
    [ConfigurationKeyName("per_key")]
    public RateOptions PerKey { get; set; } = new();

    /// <summary>Limits for each end user (the <c>user</c> field or <c>x-switchboard-user</c>) within a key, or of an open gateway.</summary>
    [ConfigurationKeyName("per_user")]
    public RateOptions PerUser { get; set; } = new();

    /// <summary>
    /// Completion tokens taken at admission for a request that sets no <c>max_tokens</c>/<c>max_completion_tokens</c>
    /// (then the lower of the two); corrected with the real usage afterwards. 0 (default) counts only the prompt up front.
    /// </summary>
    [ConfigurationKeyName("completion_tokens_estimate")]
    public int CompletionTokensEstimate { get; set; }

    /// <summary>With Redis out of reach: true (default) keeps serving under each process's own counters; false answers 503.</summary>
    [ConfigurationKeyName("redis_fail_open")]
    public bool RedisFailOpen { get; set; } = true;

    /// <summary>How long one Redis call may take before Redis counts as unreachable (default 1s).</summary>
    [ConfigurationKeyName("redis_timeout")]
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromSeconds(1);
}
