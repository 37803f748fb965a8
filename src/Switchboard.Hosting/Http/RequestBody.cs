using Switchboard.Errors;

namespace Switchboard.Hosting.Http;

/// <summary>A request body read and parsed, or the error that explains why it could not be.</summary>
public readonly record struct RequestBody<T>(T? Value, ReadOnlyMemory<byte> Raw, GatewayError? Error)
    where T : class
{
    public static RequestBody<T> Failure(GatewayError error) => new(null, default, error);
}
