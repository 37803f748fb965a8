using Microsoft.Extensions.Options;

namespace Switchboard.Caching.Configuration;

/// <summary>Checks <c>cache:</c> at start-up; every message names the key as spelt in the file.</summary>
public sealed class CacheOptionsValidator : IValidateOptions<CacheOptions>
{
    public ValidateOptionsResult Validate(string? name, CacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Partition is not (CachePartitions.Key or CachePartitions.Team or CachePartitions.Global))
        {
            failures.Add($"cache.partition: '{options.Partition}' is not key, team or global.");
        }

        if (string.IsNullOrWhiteSpace(options.NamespaceHeader))
        {
            failures.Add("cache.namespace_header: must name a header.");
        }

        if (string.IsNullOrWhiteSpace(options.RedisPrefix) || options.RedisPrefix.IndexOfAny(['*', '?', '[', ']', ' ']) >= 0)
        {
            failures.Add("cache.redis_prefix: must be a Redis key prefix without spaces or pattern characters (* ? [ ]).");
        }

        var exact = options.Exact;
        if (exact.Ttl <= TimeSpan.Zero)
        {
            failures.Add("cache.exact.ttl: must be longer than zero.");
        }

        if (exact.MaxEntries < 1)
        {
            failures.Add("cache.exact.max_entries: must be at least 1.");
        }

        if (exact.MaxBytes < 1024)
        {
            failures.Add("cache.exact.max_bytes: must be at least 1024.");
        }

        if (exact.Store is not (CacheStores.Auto or CacheStores.Memory or CacheStores.Redis))
        {
            failures.Add($"cache.exact.store: '{exact.Store}' is not auto, memory or redis.");
        }

        var semantic = options.Semantic;
        if (double.IsNaN(semantic.Threshold) || semantic.Threshold is <= 0 or > 1)
        {
            failures.Add("cache.semantic.threshold: must be greater than 0 and at most 1.");
        }

        if (string.IsNullOrWhiteSpace(semantic.Embedder))
        {
            failures.Add("cache.semantic.embedder: must be 'local' or the name of an embeddings model.");
        }

        if (semantic.ContextTurns is < 0 or > 20)
        {
            failures.Add("cache.semantic.context_turns: must be between 0 and 20.");
        }

        if (semantic.Ttl <= TimeSpan.Zero)
        {
            failures.Add("cache.semantic.ttl: must be longer than zero.");
        }

        if (semantic.MaxEntries < 1)
        {
            failures.Add("cache.semantic.max_entries: must be at least 1.");
        }

        if (semantic.Store is not (CacheStores.Auto or CacheStores.Memory or CacheStores.Redis or CacheStores.Database))
        {
            failures.Add($"cache.semantic.store: '{semantic.Store}' is not auto, database, redis or memory.");
        }

        if (semantic.ExactSearchLimit < 0)
        {
            failures.Add("cache.semantic.exact_search_limit: cannot be negative.");
        }

        if (semantic.SearchBreadth is < 1 or > 4096)
        {
            failures.Add("cache.semantic.search_breadth: must be between 1 and 4096.");
        }

        if (semantic.SyncInterval <= TimeSpan.Zero)
        {
            failures.Add("cache.semantic.sync_interval: must be longer than zero.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
