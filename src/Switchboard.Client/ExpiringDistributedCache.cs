using Microsoft.Extensions.Caching.Distributed;

namespace Switchboard.Client;

/// <summary>
/// Gives every entry written through it the same time to live. Microsoft.Extensions.AI's caching client writes
/// without expiry; this decorator is where <see cref="LlmClientOptions.CacheTtl"/> takes effect.
/// </summary>
internal sealed class ExpiringDistributedCache(IDistributedCache inner, TimeSpan ttl) : IDistributedCache
{
    private readonly DistributedCacheEntryOptions _entry = new() { AbsoluteExpirationRelativeToNow = ttl };

    public byte[]? Get(string key) => inner.Get(key);

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => inner.GetAsync(key, token);

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => inner.Set(key, value, _entry);

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        inner.SetAsync(key, value, _entry, token);

    public void Refresh(string key) => inner.Refresh(key);

    public Task RefreshAsync(string key, CancellationToken token = default) => inner.RefreshAsync(key, token);

    public void Remove(string key) => inner.Remove(key);

    public Task RemoveAsync(string key, CancellationToken token = default) => inner.RemoveAsync(key, token);
}
