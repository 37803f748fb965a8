using Microsoft.AspNetCore.Routing;
using Switchboard.Gateway.Endpoints;

namespace Switchboard.Gateway;

/// <summary>Maps the gateway's HTTP endpoints, the counterpart of <see cref="GatewayServiceCollectionExtensions.AddSwitchboardGateway"/>.</summary>
public static class GatewayEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>/v1/chat/completions</c>, <c>/v1/embeddings</c>, <c>/v1/models</c> and <c>/v1/models/{id}</c> (also
    /// without <c>/v1</c>), all through the pipeline registered by <c>AddSwitchboardGateway</c>, and the health probes
    /// <c>/health</c> and <c>/health/ready</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapSwitchboardGateway(this IEndpointRouteBuilder endpoints) => GatewayEndpoints.Map(endpoints);
}
