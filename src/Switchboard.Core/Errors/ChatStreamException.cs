namespace Switchboard.Errors;

/// <summary>
/// Ends a chunk stream that failed after it started (the upstream broke off or sent garbage). Only the
/// stream writer catches it: the status line is gone by then, so the error is sent as a last SSE event.
/// </summary>
public sealed class ChatStreamException : Exception
{
    public ChatStreamException(GatewayError error, Exception? inner = null)
        : base(error.Message, inner) => Error = error;

    public ChatStreamException()
        : this(GatewayError.BadGateway("The upstream stream failed."))
    {
    }

    public ChatStreamException(string message)
        : this(GatewayError.BadGateway(message))
    {
    }

    public ChatStreamException(string message, Exception innerException)
        : this(GatewayError.BadGateway(message), innerException)
    {
    }

    public GatewayError Error { get; }
}
