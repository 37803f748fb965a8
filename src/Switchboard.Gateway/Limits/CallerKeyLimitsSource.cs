using System.Collections.Concurrent;
using Switchboard.Gateway.Pipeline;

namespace Switchboard.Gateway.Limits;

/// <summary>
/// Key limits from <see cref="GatewayContext.Caller"/>: the key's id, with the <c>limits.per_key</c> defaults (the
/// caller as the pipeline knows it carries no limits of its own). One <see cref="KeyLimits"/> per key, cached.
/// </summary>
public sealed class CallerKeyLimitsSource : IKeyLimitsSource
{
    private readonly ConcurrentDictionary<string, KeyLimits> _keys = new(StringComparer.Ordinal);

    public KeyLimits? Of(GatewayContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Caller is { IsMaster: false, KeyId: { Length: > 0 } keyId }
            ? _keys.GetOrAdd(keyId, static id => new KeyLimits(id))
            : null;
    }
}
