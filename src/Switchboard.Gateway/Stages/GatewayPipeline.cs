using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Switchboard.Data;
using Switchboard.Gateway.Auth;
using Switchboard.Gateway.Routing;
using Switchboard.Gateway.Accounting;
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
        // Usage sits right after auth: on the way back it sees every answer a known caller got (limits' 429s,
        // validation's 400s, cache hits), and after a stream's last event.
        List<IChatStage> stages = [services.GetRequiredService<AuthStage>()];
        if (services.GetRequiredService<IOptions<DatabaseOptions>>().Value.RecordUsage)
        {
            stages.Add(services.GetRequiredService<UsageStage>());
        }

        stages.Add(services.GetRequiredService<ValidationStage>());
        var router = services.GetRequiredService<Router>();
        return new ChatPipeline(stages, router.ChatAsync);
    }
}
