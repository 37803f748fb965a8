using Microsoft.Extensions.Caching.Memory;

namespace Switchboard.Conversations.Storage;

/// <summary>
/// Conversations this process read or wrote lately, so a message does not read the whole history again: the row is
/// read every time (one small query), and copies are keyed by partition and id and the copy used only while its <see cref="ConversationHeader.Revision"/> is
/// the row's, so a change made by another replica is always seen. Bounded by the number of turns held.
/// </summary>
public sealed class ConversationCache : IDisposable
{
    private const int MaxTurnsHeld = 200_000;

    private readonly MemoryCache _cache;

    public ConversationCache(TimeProvider timeProvider) =>
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = MaxTurnsHeld, Clock = new TimeProviderClock(timeProvider) });

    /// <summary>The cached copy when it is the current revision of <paramref name="header"/>'s conversation.</summary>
    public ConversationState? Get(ConversationAddress address, ConversationHeader header)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(header);
        return _cache.TryGetValue(address.Key, out ConversationState? state) && state!.Header.Id == header.Id && state.Header.Revision == header.Revision
            ? state with { Header = header }
            : null;
    }

    public void Set(ConversationAddress address, ConversationState state)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(state);
        _cache.Set(address.Key, state, new MemoryCacheEntryOptions { Size = Math.Max(1, state.Turns.Count), SlidingExpiration = TimeSpan.FromMinutes(30) });
    }

    public void Remove(ConversationAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        _cache.Remove(address.Key);
    }

    public void Dispose() => _cache.Dispose();

#pragma warning disable CS0618 // ISystemClock is what MemoryCacheOptions.Clock takes.
    private sealed class TimeProviderClock(TimeProvider time) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
#pragma warning restore CS0618
}
