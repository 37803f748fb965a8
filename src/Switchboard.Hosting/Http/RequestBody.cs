using Switchboard.Errors;

namespace Switchboard.Hosting.Http;

/// <summary>A request body read and parsed, or the error that explains why it could not be.</summary>
public readonly record struct RequestBody<T>(T? Value, ReadOnlyMemory<byte> Raw, GatewayError? Error)
    where T : class
{
    /// <summary>A body that could not be used, and why.</summary>
    public static RequestBody<T> Failure(GatewayError error) => new(null, default, error);
}
