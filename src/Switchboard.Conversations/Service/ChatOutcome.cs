using Switchboard.Errors;
using Switchboard.Gateway.Pipeline;

namespace Switchboard.Conversations.Service;

/// <summary>What became of a message: a reply or an error, and the pipeline call behind it (for the response headers).</summary>
public sealed record ChatOutcome(ChatReply? Reply, GatewayError? Error, GatewayContext? Context)
{
    public static ChatOutcome Failed(GatewayError error, GatewayContext? context = null) => new(null, error, context);
}
