using Switchboard.Gateway.Pipeline;

namespace Switchboard.Conversations.Service;

/// <summary>Where a streamed reply goes as it is cleaned: the client's event stream.</summary>
public interface IReplyStream
{
    /// <summary>Before the first piece: the pipeline call says what answered (headers).</summary>
    ValueTask BeginAsync(GatewayContext context, CancellationToken cancellationToken);

    /// <summary>A cleaned piece of the reply.</summary>
    ValueTask WriteAsync(string delta, CancellationToken cancellationToken);

    /// <summary>True once <see cref="BeginAsync"/> ran: an error must then go as an event, not as a status.</summary>
    bool HasBegun { get; }
}
