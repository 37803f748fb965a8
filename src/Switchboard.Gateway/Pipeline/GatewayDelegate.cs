using Switchboard.Pipeline;

namespace Switchboard.Gateway.Pipeline;

/// <summary>The rest of the pipeline, as a stage sees it: call it to pass the request on.</summary>
public delegate ValueTask<GatewayResult> GatewayDelegate(GatewayContext context, CancellationToken cancellationToken);
