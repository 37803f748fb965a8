using Microsoft.Extensions.DependencyInjection;
using Switchboard.Gateway.Telemetry;

namespace Switchboard.Gateway.Pipeline;

/// <summary>
/// Composes the gateway's pipeline, in the ASP.NET Core style: <c>Use&lt;TStage&gt;()</c> in the order a request
/// meets the stages, then <see cref="Build()"/>. The gateway's own order is written once, in
/// <see cref="GatewayPipelineOrder"/>; tests compose their own with hand-written stages.
/// </summary>
public sealed class GatewayPipelineBuilder
{
    private readonly List<IGatewayStage> _stages = [];

    /// <param name="services">Where <see cref="Use{TStage}"/> finds stages (or their dependencies, to create them).</param>
    public GatewayPipelineBuilder(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        Services = services;
    }

    /// <summary>The services stages are resolved from.</summary>
    public IServiceProvider Services { get; }

    /// <summary>
    /// Adds the stage <typeparamref name="TStage"/>: the registered singleton when there is one, else one created
    /// with its constructor's dependencies from <see cref="Services"/>.
    /// </summary>
    public GatewayPipelineBuilder Use<TStage>()
        where TStage : class, IGatewayStage =>
        Use(Services.GetService<TStage>() ?? ActivatorUtilities.CreateInstance<TStage>(Services));

    /// <summary>Adds a stage instance.</summary>
    public GatewayPipelineBuilder Use(IGatewayStage stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        _stages.Add(stage);
        return this;
    }

    /// <summary>Composes the stages added so far in front of <paramref name="terminal"/>; stages that serve no operation are left out.</summary>
    public GatewayPipeline Build(GatewayDelegate terminal)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        var telemetry = Services.GetService<TelemetrySettings>();
        return new GatewayPipeline([.. _stages.Where(s => s.Operations != GatewayOperations.None)], terminal, telemetry is { Enabled: true, StageSpans: true });
    }

    /// <summary>Composes the stages in front of the gateway's <see cref="GatewayTerminal"/> (the router and the model catalog).</summary>
    public GatewayPipeline Build() => Build(Services.GetRequiredService<GatewayTerminal>().InvokeAsync);
}
