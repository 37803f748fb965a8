using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchboard.Gateway.Limits;
using Switchboard.Gateway.Pipeline;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Tests.Limits;

/// <summary>
/// Stands first in the pipeline for limit tests: names the caller from the <c>Authorization</c> bearer (until the
/// auth stage of issue 9 is wired, the pipeline has no other way to get a key) and signals when each request
/// has completed, after the rate-limit stage's correction (callbacks run inner stages first).
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
        if (context.RequestHeaders.TryGetValue("authorization", out var authorization) && authorization.StartsWith("Bearer key_", StringComparison.Ordinal))
        {
            context.Caller = new CallerIdentity { KeyId = authorization["Bearer ".Length..] };
        }

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

    /// <summary>Puts this stage first and, when given, the keys' limits and budgets in place of the stored keys'.</summary>
    public void Register(IServiceCollection services, IReadOnlyDictionary<string, KeyLimits>? keys = null)
    {
        services.Replace(ServiceDescriptor.Singleton(sp => new GatewayPipelineBuilder(sp).Use(this).UseGatewayStages().Build()));
        if (keys is not null)
        {
            services.Replace(ServiceDescriptor.Singleton<IKeyLimitsSource>(new TableKeyLimits(keys)));
        }
    }

    /// <summary>Key limits from a table, standing in for the virtual keys of the database.</summary>
    private sealed class TableKeyLimits(IReadOnlyDictionary<string, KeyLimits> keys) : IKeyLimitsSource
    {
        public KeyLimits? Of(GatewayContext context) => context.Caller?.KeyId is { } id ? keys.GetValueOrDefault(id) ?? new KeyLimits(id) : null;
    }
}
