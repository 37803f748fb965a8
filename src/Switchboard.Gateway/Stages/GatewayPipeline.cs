using Microsoft.Extensions.DependencyInjection;
using Switchboard.Gateway.Routing;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Stages;

/// <summary>
/// The gateway's chat pipeline, in the order a request meets it. This is the one place the order is
/// decided (see DESIGN.md: auth → limits → validation → compression → cache → router → provider →
/// cleaning → cache store → usage); a new stage is one class and one line here.
/// </summary>
public static class GatewayPipeline
{
    public static ChatPipeline Compose(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        IChatStage[] stages =
        [
            services.GetRequiredService<ValidationStage>(),
        ];
        var router = services.GetRequiredService<Router>();
        return new ChatPipeline(stages, router.ChatAsync);
    }
}
