using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Gateway.Configuration;
using Switchboard.Gateway.Pipeline;
using Switchboard.Gateway.Routing;
using Switchboard.Hosting.Http;
using Switchboard.OpenAI;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Endpoints;

/// <summary>
/// The gateway's HTTP surface: the OpenAI endpoints and the health probes. The services every request
/// needs are resolved once, when the endpoints are mapped, not per request.
/// </summary>
public sealed partial class GatewayEndpoints
{
    private static readonly TimeSpan HealthProbeTimeout = TimeSpan.FromSeconds(5);

    // Load balancers and uptime probes often use HEAD.
    private static readonly string[] GetAndHead = ["GET", "HEAD"];

    private readonly GatewayPipeline _pipeline;
    private readonly RouteTable _routes;
    private readonly ProviderRegistry _providers;
    private readonly TimeProvider _timeProvider;
    private readonly long _maxBodyBytes;
    private readonly ILogger _logger;

    private GatewayEndpoints(IServiceProvider services)
    {
        _pipeline = services.GetRequiredService<GatewayPipeline>();
        _routes = services.GetRequiredService<RouteTable>();
        _providers = services.GetRequiredService<ProviderRegistry>();
        _timeProvider = services.GetRequiredService<TimeProvider>();
        _maxBodyBytes = services.GetRequiredService<IOptions<SwitchboardOptions>>().Value.Server.MaxBodyBytes;
        _logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Switchboard.Gateway");
    }

    /// <summary>Maps <c>/v1/chat/completions</c>, <c>/v1/embeddings</c>, <c>/v1/models</c> (also without <c>/v1</c>), <c>/health</c> and <c>/health/ready</c>.</summary>
    public static IEndpointRouteBuilder Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var handlers = new GatewayEndpoints(endpoints.ServiceProvider);
        foreach (var prefix in new[] { "/v1", string.Empty })
        {
            endpoints.MapPost(prefix + "/chat/completions", handlers.HandleChatAsync);
            endpoints.MapPost(prefix + "/embeddings", handlers.HandleEmbeddingsAsync);
            endpoints.MapMethods(prefix + "/models", GetAndHead, handlers.HandleListModelsAsync);
            endpoints.MapMethods(prefix + "/models/{**id}", GetAndHead, handlers.HandleGetModelAsync);
        }

        endpoints.MapMethods("/health", GetAndHead, static context => OpenAIResponseWriter.WriteJsonAsync(
            context.Response, new HealthReport { Status = "ok" }, GatewayJsonContext.Default.HealthReport, context.RequestAborted));
        endpoints.MapMethods("/health/ready", GetAndHead, handlers.HandleReadyAsync);

        return endpoints;
    }

    private async Task HandleChatAsync(HttpContext http)
    {
        var body = await OpenAIRequestReader.ReadAsync(http.Request, OpenAIJsonContext.Default.ChatCompletionRequest, _maxBodyBytes, http.RequestAborted);
        if (body.Error is { } readError)
        {
            await OpenAIResponseWriter.WriteErrorAsync(http.Response, readError, http.RequestAborted);
            return;
        }

        var context = GatewayContext.ForChat(body.Value!, body.Raw, _timeProvider);
        await ServeAsync(http, context);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.ChatServed(_logger, context.RequestedModel, context.Deployment?.ProviderName ?? "-", http.Response.StatusCode, context.Elapsed.TotalMilliseconds);
        }
    }

    private async Task HandleEmbeddingsAsync(HttpContext http)
    {
        var body = await OpenAIRequestReader.ReadAsync(http.Request, OpenAIJsonContext.Default.EmbeddingRequest, _maxBodyBytes, http.RequestAborted);
        if (body.Error is { } readError)
        {
            await OpenAIResponseWriter.WriteErrorAsync(http.Response, readError, http.RequestAborted);
            return;
        }

        await ServeAsync(http, GatewayContext.ForEmbeddings(body.Value!, body.Raw, _timeProvider));
    }

    private Task HandleListModelsAsync(HttpContext http) => ServeAsync(http, GatewayContext.ForModels(null, _timeProvider));

    private Task HandleGetModelAsync(HttpContext http) =>
        ServeAsync(http, GatewayContext.ForModels(http.Request.RouteValues["id"] as string ?? string.Empty, _timeProvider));

    /// <summary>Runs the pipeline, writes its answer with the headers that say what happened, and completes the request.</summary>
    private async Task ServeAsync(HttpContext http, GatewayContext context)
    {
        context.RequestHeaders = new HeaderDictionaryView(http.Request.Headers);
        context.RequestId = GatewayResponseHeaders.RequestId(http);
        try
        {
            var result = await _pipeline.InvokeAsync(context, http.RequestAborted);
            GatewayResponseHeaders.Write(http.Response, context);
            await GatewayResultWriter.WriteAsync(http, result);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; cancelling the token already stopped the upstream call.
        }
        finally
        {
            if (http.RequestAborted.IsCancellationRequested && context.Error is null)
            {
                context.Aborted = true;
            }

            await context.CompleteAsync();
        }
    }

    private async Task HandleReadyAsync(HttpContext http)
    {
        var providers = _providers.Providers;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        timeout.CancelAfter(HealthProbeTimeout);
        var checks = providers.Values.Select(async provider =>
        {
            ProviderHealth health;
            try
            {
                health = await provider.CheckHealthAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !http.RequestAborted.IsCancellationRequested)
            {
                health = ProviderHealth.Unhealthy($"no answer within {HealthProbeTimeout.TotalSeconds:0} s");
            }

            return (provider, health);
        });
        var results = await Task.WhenAll(checks);
        var ready = results.All(r => r.health.IsHealthy);
        http.Response.StatusCode = ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        var report = new HealthReport
        {
            Status = ready ? "ready" : "unavailable",
            Providers = results.ToDictionary(
                r => r.provider.Name,
                r => new ProviderHealthReport { Type = r.provider.Type, Healthy = r.health.IsHealthy, Detail = r.health.Detail }),
            OpenCircuits = OpenCircuits(),
        };
        await OpenAIResponseWriter.WriteJsonAsync(http.Response, report, GatewayJsonContext.Default.HealthReport, http.RequestAborted);
    }

    /// <summary>
    /// Open circuits are reported, not counted against readiness: one failing upstream should not take the
    /// whole gateway out of a load balancer while its other models still answer.
    /// </summary>
    private Dictionary<string, CircuitReport>? OpenCircuits()
    {
        Dictionary<string, CircuitReport>? open = null;
        foreach (var (id, circuit) in _routes.Circuits)
        {
            var state = circuit.State;
            if (state != CircuitState.Closed)
            {
                (open ??= new(StringComparer.Ordinal))[id] = new CircuitReport
                {
                    State = state == CircuitState.HalfOpen ? "half_open" : "open",
                    RetryAfter = (int)Math.Ceiling(circuit.RemainingCooldown.TotalSeconds),
                };
            }
        }

        return open;
    }

    private static partial class Log
    {
        // Debug, not Information: on the console this line costs ~12 µs of CPU and ~18 % of throughput per
        // request (docs/benchmarks.md); usage records are the durable per-request trail.
        [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "chat {Model} -> {Provider} {Status} in {ElapsedMs:0.0} ms")]
        public static partial void ChatServed(ILogger logger, string model, string provider, int status, double elapsedMs);
    }
}
