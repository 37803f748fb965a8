using Switchboard.Errors;

namespace Switchboard.Gateway.Pipeline;

/// <summary>
/// What a stream the pipeline returns does for the request when it ends (<see cref="CompletingStream"/>, or the
/// router's own stream when nothing wraps it, <see cref="IRequestCompletingStream"/>): a mid-stream failure goes to
/// <see cref="GatewayContext.Error"/>, a client that went away to <see cref="GatewayContext.Aborted"/>, and once the
/// stream is disposed the request completes.
/// </summary>
internal static class StreamCompletion
{
    /// <summary>Notes what an exception from the stream says about the request.</summary>
    public static void Note(GatewayContext context, Exception exception, CancellationToken cancellationToken)
    {
        switch (exception)
        {
            case ChatStreamException stream:
                context.Error ??= stream.Error;
                break;
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                context.Aborted = true;
                break;
        }
    }

    /// <summary>Completes the request once its stream is disposed; <paramref name="finished"/> when the stream was read to its end.</summary>
    public static ValueTask CompleteAsync(GatewayContext context, bool finished)
    {
        if (!finished && context.Error is null)
        {
            // Abandoned before its end: the client went away (or an in-process reader stopped reading).
            context.Aborted = true;
        }

        return context.CompleteAsync();
    }
}

/// <summary>
/// A stream that can complete its request itself (<see cref="StreamCompletion"/>), so the pipeline need not wrap it
/// in a <see cref="CompletingStream"/>: one layer less for every chunk.
/// </summary>
internal interface IRequestCompletingStream
{
    /// <summary>From now on the stream notes how it ended on the context and completes the request when disposed.</summary>
    void CompleteRequest();
}
