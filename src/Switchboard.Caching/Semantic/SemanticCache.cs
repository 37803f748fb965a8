using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Switchboard.Caching.Configuration;
using Switchboard.Caching.Embeddings;
using Switchboard.Caching.Semantic.Guard;
using Switchboard.Caching.Vectors;

namespace Switchboard.Caching.Semantic;

/// <summary>
/// The semantic cache: an in-memory vector index per scope, built from (and kept in step with) an
/// <see cref="ISemanticCacheStore"/>. A lookup embeds the request's text, takes the nearest entries of its
/// scope above the threshold, and answers with the first that also passes the <see cref="SemanticGuard"/>;
/// the answer is read from the store, so an entry purged or expired elsewhere is never served.
/// </summary>
public sealed partial class SemanticCache
{
    /// <summary>How many near candidates are put to the guard before giving up.</summary>
    private const int Candidates = 4;

    private readonly SemanticCacheOptions _options;
    private readonly ITextEmbedder _embedder;
    private readonly ISemanticCacheStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, ScopeIndex> _scopes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, Indexed> _entries = new();
    private readonly ConcurrentQueue<long> _age = new();
    private readonly SemaphoreSlim _syncLock = new(1, 1);
    private DateTimeOffset _syncedUpTo = DateTimeOffset.MinValue;

    public SemanticCache(SemanticCacheOptions options, ITextEmbedder embedder, ISemanticCacheStore store, TimeProvider timeProvider, ILogger<SemanticCache> logger)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _embedder = embedder ?? throw new ArgumentNullException(nameof(embedder));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>The embedder in use.</summary>
    public ITextEmbedder Embedder => _embedder;

    /// <summary>The store in use.</summary>
    public ISemanticCacheStore Store => _store;

    /// <summary>How many entries are searchable here.</summary>
    public int Count => _entries.Count;

    /// <summary>Looks a request up. The returned vector can be handed to <see cref="StoreAsync"/> after a miss.</summary>
    public async ValueTask<SemanticLookup> LookupAsync(SemanticQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var vector = await _embedder.EmbedAsync(query.Text, cancellationToken);
        if (!_scopes.TryGetValue(ScopeKey(query), out var scope))
        {
            return new SemanticLookup { Vector = vector };
        }

        var now = _time.GetUtcNow();
        // One search serves both the hit and the similarity header of a miss (the nearest, even below the threshold).
        var matches = scope.Index.Search(vector, Candidates, -1f);
        if (matches.Count == 0 || matches[0].Similarity < _options.Threshold)
        {
            return new SemanticLookup { Vector = vector, Similarity = matches.Count == 0 ? 0 : matches[0].Similarity };
        }

        GuardFeatures? features = null;
        string? refused = null;
        foreach (var match in matches)
        {
            if (match.Similarity < _options.Threshold)
            {
                break;
            }

            if (!_entries.TryGetValue(match.Id, out var entry) || entry.ExpiresAt <= now)
            {
                continue;
            }

            features ??= SemanticGuard.Analyze(query.Text);
            var verdict = SemanticGuard.Compare(features, entry.Features);
            if (!verdict.Passed)
            {
                refused ??= verdict.Reason;
                Log.GuardRefused(_logger, match.Similarity, verdict.Reason!, verdict.Detail!);
                continue;
            }

            var answer = await _store.GetAnswerAsync(match.Id, cancellationToken);
            if (answer is null)
            {
                // Purged or expired by another replica since this one indexed it.
                Forget(match.Id);
                continue;
            }

            return new SemanticLookup { Answer = answer.Value, Similarity = match.Similarity, Vector = vector };
        }

        return new SemanticLookup { Vector = vector, Similarity = matches[0].Similarity, RefusedBecause = refused };
    }

    /// <summary>Stores the answer to a request that missed; <paramref name="vector"/> is the lookup's.</summary>
    public async ValueTask StoreAsync(SemanticQuery query, float[] vector, ReadOnlyMemory<byte> answer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(vector);
        var now = _time.GetUtcNow();
        var entry = new SemanticEntry
        {
            Id = NewId(now),
            Namespace = query.Namespace,
            Model = query.Model,
            Scope = ScopeKey(query),
            Vector = vector,
            Text = query.Text,
            CreatedAt = now,
            ExpiresAt = now + _options.Ttl,
            Answer = answer,
        };
        await _store.AddAsync(entry, cancellationToken);
        Index(entry);
        await EvictOverflowAsync(cancellationToken);
    }

    /// <summary>
    /// Picks up entries stored since the last call (at start-up: everything not expired), whether by this
    /// process before a restart or by another replica, and drops expired ones.
    /// </summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        await _syncLock.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            // Clocks of replicas differ a little and rows commit late: look back a while; known ids are skipped.
            var since = _syncedUpTo == DateTimeOffset.MinValue ? DateTimeOffset.MinValue : _syncedUpTo - TimeSpan.FromMinutes(1);
            var loaded = 0;
            await foreach (var entry in _store.LoadAsync(since, now, cancellationToken))
            {
                if (!_entries.ContainsKey(entry.Id))
                {
                    Index(entry);
                    loaded++;
                }
            }

            _syncedUpTo = now;
            foreach (var (id, entry) in _entries)
            {
                if (entry.ExpiresAt <= now)
                {
                    Forget(id);
                }
            }

            await _store.RemoveExpiredAsync(now, cancellationToken);
            await EvictOverflowAsync(cancellationToken);
            if (loaded > 0)
            {
                Log.Synced(_logger, loaded, _entries.Count);
            }
        }
        finally
        {
            _syncLock.Release();
        }
    }

    /// <summary>Removes matching entries here and in the store; returns how many the store removed.</summary>
    public async ValueTask<long> PurgeAsync(CachePurge purge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(purge);
        foreach (var (id, entry) in _entries)
        {
            if (purge.Matches(entry.Namespace, entry.Model))
            {
                Forget(id);
            }
        }

        return await _store.PurgeAsync(purge, cancellationToken);
    }

    /// <summary>How many entries each namespace holds here, for the admin report.</summary>
    public IReadOnlyDictionary<string, int> CountByNamespace() =>
        _entries.Values.GroupBy(e => e.Namespace, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    private void Index(SemanticEntry entry)
    {
        var indexed = new Indexed(entry.Scope, entry.Namespace, entry.Model, SemanticGuard.Analyze(entry.Text), entry.ExpiresAt);
        if (!_entries.TryAdd(entry.Id, indexed))
        {
            return;
        }

        var scope = _scopes.GetOrAdd(entry.Scope, _ => new ScopeIndex(new AdaptiveVectorIndex(entry.Vector.Length, _options.ExactSearchLimit, _options.SearchBreadth)));
        scope.Index.Add(entry.Id, entry.Vector);
        _age.Enqueue(entry.Id);
    }

    private void Forget(long id)
    {
        if (_entries.TryRemove(id, out var entry) && _scopes.TryGetValue(entry.Scope, out var scope))
        {
            scope.Index.Remove(id);
        }
    }

    /// <summary>Drops the oldest entries beyond <c>max_entries</c>, here and in the store.</summary>
    private async ValueTask EvictOverflowAsync(CancellationToken cancellationToken)
    {
        List<long>? evicted = null;
        while (_entries.Count > _options.MaxEntries && _age.TryDequeue(out var id))
        {
            if (_entries.ContainsKey(id))
            {
                Forget(id);
                (evicted ??= []).Add(id);
            }
        }

        if (evicted is not null)
        {
            await _store.RemoveAsync(evicted, cancellationToken);
        }
    }

    /// <summary>Vectors of different embedders live in different spaces: the embedder is part of the scope.</summary>
    private string ScopeKey(SemanticQuery query) => string.Concat(_embedder.Name, "|", query.Namespace, "|", query.Model, "|", query.Scope);

    /// <summary>Milliseconds in the high bits (so ids sort by age), random low bits (so replicas do not collide).</summary>
    private static long NewId(DateTimeOffset now) =>
        (now.ToUnixTimeMilliseconds() << 20) | (long)(RandomNumberGenerator.GetInt32(1 << 20));

    private sealed record Indexed(string Scope, string Namespace, string Model, GuardFeatures Features, DateTimeOffset ExpiresAt);

    private sealed record ScopeIndex(AdaptiveVectorIndex Index);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "semantic cache: candidate at {Similarity:0.000} refused by the guard ({Reason}: {Detail})")]
        public static partial void GuardRefused(ILogger logger, float similarity, string reason, string detail);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "semantic cache: {Loaded} entries picked up from the store, {Total} searchable")]
        public static partial void Synced(ILogger logger, int loaded, int total);
    }
}
