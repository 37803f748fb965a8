using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Gateway.Configuration;
using Switchboard.Gateway.Pipeline;
using Switchboard.Gateway.Routing;
using Switchboard.Gateway.Stages;
using Switchboard.Hosting.Http;
using Switchboard.OpenAI;
using Switchboard.Pipeline;

namespace Switchboard.Benchmarks;

/// <summary>
/// What the pipeline itself costs per chat request, without HTTP and without an upstream: the context, the
/// chain of stages and the terminal (a canned completion here). Each stage's own cost is the difference
/// between two rows.
/// </summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private static readonly ChatResult Answer = new ChatResult.Completed(new ChatCompletionResponse { Id = "chatcmpl-1", Model = "gpt-4o-mini" });

    private readonly ChatCompletionRequest _request = OpenAIRequestReader.Parse(Payloads.SmallChat, OpenAIJsonContext.Default.ChatCompletionRequest).Value!;
    private GatewayPipeline _bare = null!;
    private GatewayPipeline _validation = null!;
    private GatewayPipeline _standard = null!;
    private GatewayPipeline _withCompletion = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = new SwitchboardOptions
        {
            Providers = [new Switchboard.Providers.ProviderOptions { Name = "upstream", Type = "openai" }],
            Models = [new ModelOptions { Name = "gpt-4o-mini", Deployments = [new DeploymentOptions { Provider = "upstream" }] }],
        };
        var routes = new RouteTable(options, new Dictionary<string, IChatProvider> { ["upstream"] = new NoProvider() }, TimeProvider.System);
        var services = new ServiceCollection().AddSingleton(routes).BuildServiceProvider();
        GatewayDelegate terminal = static (_, _) => new ValueTask<GatewayResult>(Answer);
        _bare = new GatewayPipelineBuilder(services).Build(terminal);
        _validation = new GatewayPipelineBuilder(services).Use<ValidationStage>().Build(terminal);
        _standard = new GatewayPipelineBuilder(services).Use<ValidationStage>().Use<ModelResolutionStage>().Build(terminal);
        _withCompletion = new GatewayPipelineBuilder(services).Use(new CompletionStage()).Use<ValidationStage>().Use<ModelResolutionStage>().Build(terminal);
    }

    [Benchmark(Baseline = true, Description = "context, no stage")]
    public async Task<GatewayResult> Bare()
    {
        var context = GatewayContext.ForChat(_request, Payloads.SmallChat);
        var result = await _bare.InvokeAsync(context, CancellationToken.None);
        await context.CompleteAsync();
        return result;
    }

    [Benchmark(Description = "+ validation")]
    public async Task<GatewayResult> Validation()
    {
        var context = GatewayContext.ForChat(_request, Payloads.SmallChat);
        var result = await _validation.InvokeAsync(context, CancellationToken.None);
        await context.CompleteAsync();
        return result;
    }

    [Benchmark(Description = "+ validation + model resolution (the gateway's order today)")]
    public async Task<GatewayResult> Standard()
    {
        var context = GatewayContext.ForChat(_request, Payloads.SmallChat);
        var result = await _standard.InvokeAsync(context, CancellationToken.None);
        await context.CompleteAsync();
        return result;
    }

    [Benchmark(Description = "+ a stage with a completion callback (what a usage stage costs the pipeline)")]
    public async Task<GatewayResult> WithCompletion()
    {
        var context = GatewayContext.ForChat(_request, Payloads.SmallChat);
        var result = await _withCompletion.InvokeAsync(context, CancellationToken.None);
        await context.CompleteAsync();
        return result;
    }

    private sealed class CompletionStage : IGatewayStage
    {
        public string Name => "completion";

        public GatewayOperations Operations => GatewayOperations.All;

        public ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
        {
            context.OnCompleted(static (_, _) => ValueTask.CompletedTask);
            return next(context, cancellationToken);
        }
    }

    private sealed class NoProvider : IChatProvider
    {
        public string Name => "upstream";

        public string Type => "openai";

        public ValueTask<ChatResult> ChatAsync(ChatCompletionRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<EmbeddingResult> EmbedAsync(EmbeddingRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<ProviderHealth> CheckHealthAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
