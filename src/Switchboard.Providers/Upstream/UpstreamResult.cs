using Switchboard.Errors;

namespace Switchboard.Providers.Upstream;

/// <summary>A parsed upstream answer (with the bytes it was parsed from, when it was read whole) or the error it maps to.</summary>
internal readonly record struct UpstreamResult<T>(T? Value, GatewayError? Error, ReadOnlyMemory<byte> Json = default)
    where T : class
{
    public static implicit operator UpstreamResult<T>(GatewayError error) => new(null, error);

    public static UpstreamResult<T> Success(T value, ReadOnlyMemory<byte> json = default) => new(value, null, json);
}
