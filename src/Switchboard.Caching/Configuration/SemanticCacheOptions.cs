using System.ComponentModel;
using Microsoft.Extensions.Configuration;

namespace Switchboard.Caching.Configuration;

/// <summary>
/// <c>cache.semantic</c>: answers for requests close in meaning to one already answered in the same scope
/// (model, system prompt, tools, response format, namespace), when the guard finds no difference in
/// numbers, names, negation, opposites or word order.
/// </summary>
[TypeConverter(typeof(SwitchConverter<SemanticCacheOptions>))]
public sealed class SemanticCacheOptions : ISwitchable
{
    public bool Enabled { get; set; }

    /// <summary>The least cosine similarity for a hit (docs/benchmarks.md has the measured trade-off).</summary>
    public double Threshold { get; set; } = 0.85;

    /// <summary><c>local</c> (the built-in MiniLM model) or the name of an embeddings model routed by the gateway.</summary>
    public string Embedder { get; set; } = "local";

    /// <summary>
    /// How many turns before the last user message are embedded with it. Turns before those must be
    /// identical for a hit (they are part of the scope), so 0 means: the history must match exactly.
    /// </summary>
    [ConfigurationKeyName("context_turns")]
    public int ContextTurns { get; set; }

    /// <summary>Whether requests that ask for <c>temperature</c> above 0 are cached too.</summary>
    public bool Sampled { get; set; }

    /// <summary>How long an answer is kept.</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The most entries kept; the oldest go first.</summary>
    [ConfigurationKeyName("max_entries")]
    public int MaxEntries { get; set; } = 100_000;

    /// <summary><c>auto</c> (Redis when <c>redis:</c> is configured, else the database), <c>database</c>, <c>redis</c> or <c>memory</c> (not kept across restarts).</summary>
    public string Store { get; set; } = CacheStores.Auto;

    /// <summary>Up to this many entries in one scope are searched exactly; beyond it an HNSW graph is used.</summary>
    [ConfigurationKeyName("exact_search_limit")]
    public int ExactSearchLimit { get; set; } = 2_000;

    /// <summary>How many candidates the HNSW search keeps (higher: better recall, slower).</summary>
    [ConfigurationKeyName("search_breadth")]
    public int SearchBreadth { get; set; } = 64;

    /// <summary>How often entries stored by other replicas (or before a restart) are picked up.</summary>
    [ConfigurationKeyName("sync_interval")]
    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromSeconds(5);
}
