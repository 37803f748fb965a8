using System.ComponentModel;
using Microsoft.Extensions.Configuration;

namespace Switchboard.Caching.Configuration;

/// <summary>
/// <c>cache.exact</c>: answers for requests identical to one already answered (same model after routing,
/// messages, tools, response format and every parameter that changes the output). Written as
/// <c>exact: true</c> or as an object.
/// </summary>
[TypeConverter(typeof(SwitchConverter<ExactCacheOptions>))]
public sealed class ExactCacheOptions : ISwitchable
{
    public bool Enabled { get; set; }

    /// <summary>Whether requests that ask for <c>temperature</c> above 0 are cached too (their answers are meant to vary).</summary>
    public bool Sampled { get; set; }

    /// <summary>How long an answer is kept.</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The most answers kept in memory; the least recently used go first.</summary>
    [ConfigurationKeyName("max_entries")]
    public int MaxEntries { get; set; } = 10_000;

    /// <summary>The most bytes of answers kept in memory.</summary>
    [ConfigurationKeyName("max_bytes")]
    public long MaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary><c>auto</c> (Redis when <c>redis:</c> is configured, else memory), <c>memory</c> or <c>redis</c>.</summary>
    public string Store { get; set; } = CacheStores.Auto;
}
