using Switchboard.Errors;

namespace Switchboard.Providers.Upstream;

/// <summary>A parsed upstream answer or the error it maps to.</summary>
internal readonly record struct UpstreamResult<T>(T? Value, GatewayError? Error)
    where T : class
{
    public static implicit operator UpstreamResult<T>(GatewayError error) => new(null, error);

    public static UpstreamResult<T> Success(T value) => new(value, null);
}
