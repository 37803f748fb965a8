using Microsoft.Extensions.Logging;

namespace Switchboard.Testing;

/// <summary>One entry seen by <see cref="LogCapture"/>.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception)
{
    public override string ToString() => $"{Level} {Category}[{EventId.Id}] {Message}{(Exception is null ? string.Empty : " (exception: " + Exception.GetType().Name + ")")}";
}
