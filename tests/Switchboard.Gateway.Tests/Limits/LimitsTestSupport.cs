using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchboard.Gateway.Pipeline;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Tests.Limits;

/// <summary>
/// Stands first in the pipeline for limit tests and signals when each request has completed: after the
/// rate-limit stage's correction (callbacks run inner stages first), so the next request sees it.
/// </summary>
public sealed class CallerAndCompletionStage : IGatewayStage
{
    private readonly ConcurrentQueue<TaskCompletionSource> _completions = new();

    public string Name => "test-caller";

    public GatewayOperations Operations => GatewayOperations.All;

    /// <summary>Completes when the next request (in arrival order) has completed.</summary>
    public Task NextCompletion()
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _completions.Enqueue(signal);
        return signal.Task;
    }

    public ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
    {
        context.OnCompleted(static (_, state) =>
        {
            if (((CallerAndCompletionStage)state!)._completions.TryDequeue(out var signal))
            {
                signal.TrySetResult();
            }

            return ValueTask.CompletedTask;
        }, this);
        return next(context, cancellationToken);
    }

    /// <summary>Puts this stage first.</summary>
    public void Register(IServiceCollection services) =>
        services.Replace(ServiceDescriptor.Singleton(sp => new GatewayPipelineBuilder(sp).Use(this).UseGatewayStages().Build()));
}
