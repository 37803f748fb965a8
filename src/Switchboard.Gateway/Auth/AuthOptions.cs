using Microsoft.Extensions.Configuration;

namespace Switchboard.Gateway.Auth;

/// <summary><c>auth:</c> who may call the gateway.</summary>
public sealed class AuthOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "auth";

    /// <summary>The environment variable read when <c>auth.master_key</c> is not in the file.</summary>
    public const string MasterKeyVariable = "SWITCHBOARD_MASTER_KEY";

    /// <summary>
    /// The admin's key (usually <c>env:SWITCHBOARD_MASTER_KEY</c>). With it set, every call needs the master key
    /// or a virtual key; without it the gateway is open, and only on a loopback address.
    /// </summary>
    [ConfigurationKeyName("master_key")]
    public string? MasterKey { get; set; }

    /// <summary>Open (no keys) on any address, on purpose.</summary>
    [ConfigurationKeyName("allow_anonymous")]
    public bool AllowAnonymous { get; set; }

    /// <summary>How long a verified key is trusted before the database is asked again; a revoke takes effect within it.</summary>
    [ConfigurationKeyName("key_cache_ttl")]
    public TimeSpan KeyCacheTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Wrong keys (master or virtual, in <c>Authorization: Bearer</c> or <c>api-key</c>) allowed per client address
    /// within <see cref="FailedKeyWindow"/>; past them the address gets 429 for requests that carry a key until the
    /// window ends, and its keys are not tried. 0 turns the limit off.
    /// </summary>
    [ConfigurationKeyName("failed_key_limit")]
    public int FailedKeyLimit { get; set; } = 20;

    /// <summary>How long an address's wrong keys count, from its first.</summary>
    [ConfigurationKeyName("failed_key_window")]
    public TimeSpan FailedKeyWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Client addresses whose wrong keys are remembered at most (the oldest are forgotten first).</summary>
    [ConfigurationKeyName("failed_key_addresses")]
    public int FailedKeyAddresses { get; set; } = 10_000;

    /// <summary>True when calls must present a key.</summary>
    public bool Enabled => !string.IsNullOrEmpty(MasterKey);
}
