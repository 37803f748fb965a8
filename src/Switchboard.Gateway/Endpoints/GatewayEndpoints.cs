using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Errors;
using Switchboard.Gateway.Auth;
using Switchboard.Gateway.Configuration;
using Switchboard.Gateway.Routing;
using Switchboard.Hosting.Http;
using Switchboard.OpenAI;
using Switchboard.Pipeline;
using Switchboard.Validation;

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

    private readonly ChatPipeline _pipeline;
    private readonly Router _router;
    private readonly RouteTable _routes;
    private readonly ProviderRegistry _providers;
    private readonly long _maxBodyBytes;
    private readonly ILogger _logger;
    private readonly KeyAuthenticator _auth;

    private GatewayEndpoints(IServiceProvider services)
    {
        _pipeline = services.GetRequiredService<ChatPipeline>();
        _router = services.GetRequiredService<Router>();
        _routes = services.GetRequiredService<RouteTable>();
        _providers = services.GetRequiredService<ProviderRegistry>();
        _maxBodyBytes = services.GetRequiredService<IOptions<SwitchboardOptions>>().Value.Server.MaxBodyBytes;
        _logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Switchboard.Gateway");
        _auth = services.GetRequiredService<KeyAuthenticator>();
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
        var started = Stopwatch.GetTimestamp();
        var body = await OpenAIRequestReader.ReadAsync(http.Request, OpenAIJsonContext.Default.ChatCompletionRequest, _maxBodyBytes, http.RequestAborted);
        if (body.Error is { } readError)
        {
            await OpenAIResponseWriter.WriteErrorAsync(http.Response, readError, http.RequestAborted);
            return;
        }

        var context = new ChatContext(body.Value!, body.Raw) { RequestHeaders = new HeaderDictionaryView(http.Request.Headers) };
        context.ResponseHeaders[GatewayHeaders.RequestId] = RequestId(http);
        // The cache stage, where configured, replaces this with hit, semantic or miss.
        context.ResponseHeaders[GatewayHeaders.Cache] = "bypass";
        try
        {
            var result = await _pipeline.InvokeAsync(context, http.RequestAborted);
            await OpenAIResponseWriter.WriteChatResultAsync(http, context, result);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; cancelling the token already stopped the upstream call.
        }

        if (!_logger.IsEnabled(LogLevel.Debug))
        {
            return;
        }

        Log.ChatServed(
            _logger,
            context.RequestedModel,
            context.ResponseHeaders.TryGetValue(GatewayHeaders.Provider, out var provider) ? provider : "-",
            http.Response.StatusCode,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private async Task HandleEmbeddingsAsync(HttpContext http)
    {
        var body = await OpenAIRequestReader.ReadAsync(http.Request, OpenAIJsonContext.Default.EmbeddingRequest, _maxBodyBytes, http.RequestAborted);
        var error = body.Error ?? await AuthorizeAsync(http, body.Value!.Model ?? string.Empty) ?? EmbeddingRequestValidator.Validate(body.Value!);
        if (error is not null)
        {
            await OpenAIResponseWriter.WriteErrorAsync(http.Response, error, http.RequestAborted);
            return;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { [GatewayHeaders.RequestId] = RequestId(http) };
        EmbeddingResult result;
        try
        {
            result = await _router.EmbedAsync(body.Value! with { ClientJson = body.Raw }, headers, http.RequestAborted);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        foreach (var (name, value) in headers)
        {
            http.Response.Headers[name] = value;
        }

        if (result.Error is { } embedError)
        {
            await OpenAIResponseWriter.WriteErrorAsync(http.Response, embedError, http.RequestAborted);
            return;
        }

        await OpenAIResponseWriter.WriteJsonAsync(http.Response, result.Json, result.Response!, OpenAIJsonContext.Relaxed.EmbeddingResponse, http.RequestAborted);
    }

    private async Task HandleListModelsAsync(HttpContext http)
    {
        if (await AuthorizeAsync(http, model: null) is { } denied)
        {
            await OpenAIResponseWriter.WriteErrorAsync(http.Response, denied, http.RequestAborted);
            return;
        }

        var list = new ModelList { Data = [.. _routes.Models.Select(ToModelInfo)] };
        await OpenAIResponseWriter.WriteJsonAsync(http.Response, list, OpenAIJsonContext.Relaxed.ModelList, http.RequestAborted);
    }

    private async Task HandleGetModelAsync(HttpContext http)
    {
        if (await AuthorizeAsync(http, model: null) is { } denied)
        {
            await OpenAIResponseWriter.WriteErrorAsync(http.Response, denied, http.RequestAborted);
            return;
        }

        var id = http.Request.RouteValues["id"] as string ?? string.Empty;
        var route = _routes.Find(id);
        await (route is null
            ? OpenAIResponseWriter.WriteErrorAsync(http.Response, GatewayError.ModelNotFound(id), http.RequestAborted)
            : OpenAIResponseWriter.WriteJsonAsync(http.Response, ToModelInfo(route) with { Id = id }, OpenAIJsonContext.Relaxed.ModelInfo, http.RequestAborted));
    }

    /// <summary>The auth stage's checks for the endpoints outside the chat pipeline; null when the caller may go on.</summary>
    private async ValueTask<GatewayError?> AuthorizeAsync(HttpContext http, string? model)
    {
        if (!_auth.Enabled)
        {
            return null;
        }

        var headers = http.Request.Headers;
        var result = await _auth.AuthenticateAsync(KeyAuthenticator.ExtractKey(headers.Authorization, headers["api-key"]), http.RequestAborted);
        return result.Error ?? (model is not null && !_auth.IsModelAllowed(result.Identity!, model) ? AuthErrors.ModelForbidden(model) : null);
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

    /// <summary>The client's own <c>x-request-id</c> when it sent a sensible one, so logs on both sides line up.</summary>
    private static string RequestId(HttpContext http)
    {
        var sent = http.Request.Headers[GatewayHeaders.RequestId];
        return sent.Count == 1 && sent[0] is { Length: > 0 and <= 128 } id && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')
            ? id
            : http.TraceIdentifier;
    }

    private static ModelInfo ToModelInfo(ModelRoute route) => new()
    {
        Id = route.Name,
        Created = 0,
        OwnedBy = "switchboard",
    };

    private static partial class Log
    {
        // Debug, not Information: on the console this line costs ~12 µs of CPU and ~18 % of throughput per
        // request (docs/benchmarks.md); usage records are the durable per-request trail.
        [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "chat {Model} -> {Provider} {Status} in {ElapsedMs:0.0} ms")]
        public static partial void ChatServed(ILogger logger, string model, string provider, int status, double elapsedMs);
    }
}
