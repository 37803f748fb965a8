using StackExchange.Redis;

namespace Switchboard.Limits;

/// <summary>Opens the Redis connection the limiter needs: one that never blocks start-up and fails fast while Redis is away.</summary>
public static class RedisConnection
{
    /// <summary>
    /// Connects to <paramref name="configuration"/> (<c>host:port[,options]</c>). Start-up goes on when Redis is
    /// down (the connection keeps retrying in the background); commands issued while disconnected fail at once
    /// instead of queueing, so a request falls back to local counters without waiting.
    /// </summary>
    /// <param name="configuration">A StackExchange.Redis configuration string.</param>
    /// <param name="timeout">How long one command may take before Redis counts as unreachable.</param>
    public static IConnectionMultiplexer Connect(string configuration, TimeSpan timeout)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        var ms = (int)Math.Clamp(timeout.TotalMilliseconds, 1, int.MaxValue);
        options.ConnectTimeout = ms;
        options.SyncTimeout = ms;
        options.AsyncTimeout = ms;
        options.ReconnectRetryPolicy = new LinearRetry(500);
        return ConnectionMultiplexer.Connect(options);
    }
}
