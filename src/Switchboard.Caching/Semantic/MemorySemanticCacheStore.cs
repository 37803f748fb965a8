using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Switchboard.Caching.Semantic;

/// <summary>Semantic entries in process only (<c>cache.semantic.store: memory</c>): gone on restart, not shared.</summary>
public sealed class MemorySemanticCacheStore : ISemanticCacheStore
{
    private readonly ConcurrentDictionary<long, SemanticEntry> _entries = new();

    public string Name => "memory";

    public ValueTask AddAsync(SemanticEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        _entries[entry.Id] = entry;
        return ValueTask.CompletedTask;
    }

    public ValueTask<ReadOnlyMemory<byte>?> GetAnswerAsync(long id, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_entries.TryGetValue(id, out var entry) ? entry.Answer : (ReadOnlyMemory<byte>?)null);

    public async IAsyncEnumerable<SemanticEntry> LoadAsync(DateTimeOffset since, DateTimeOffset now, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        foreach (var entry in _entries.Values.Where(e => e.CreatedAt >= since && e.ExpiresAt > now).OrderBy(e => e.Id))
        {
            yield return entry with { Answer = default };
        }
    }

    public ValueTask RemoveAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        foreach (var id in ids)
        {
            _entries.TryRemove(id, out _);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<long> PurgeAsync(CachePurge purge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(purge);
        long removed = 0;
        foreach (var entry in _entries.Values)
        {
            if (purge.Matches(entry.Namespace, entry.Model) && _entries.TryRemove(entry.Id, out _))
            {
                removed++;
            }
        }

        return ValueTask.FromResult(removed);
    }

    public ValueTask RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var entry in _entries.Values)
        {
            if (entry.ExpiresAt <= now)
            {
                _entries.TryRemove(entry.Id, out _);
            }
        }

        return ValueTask.CompletedTask;
    }
}
