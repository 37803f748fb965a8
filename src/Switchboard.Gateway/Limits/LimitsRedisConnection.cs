using StackExchange.Redis;

namespace Switchboard.Gateway.Limits;

/// <summary>The limiter's own Redis connection (fail-fast, <c>limits.redis_timeout</c>), closed with the host.</summary>
public sealed class LimitsRedisConnection(IConnectionMultiplexer multiplexer) : IDisposable
{
    public IConnectionMultiplexer Multiplexer { get; } = multiplexer;

    public void Dispose() => Multiplexer.Dispose();
}
