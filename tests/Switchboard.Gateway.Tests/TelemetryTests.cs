using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;
using OpenTelemetry.Trace;
using Switchboard.Gateway.Pipeline;
using Switchboard.Gateway.Telemetry;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>Traces (in-memory exporter) and metrics (scraping /metrics) of a gateway with telemetry on, in front of a fake OpenAI upstream.</summary>
public sealed class TelemetryTests : IAsyncLifetime
{
    private readonly List<Activity> _spans = [];
    private FakeUpstream _upstream = null!;
    private TestGateway _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync(FakeUpstream.Json(OpenAIUpstreamResponses.Completion("gpt-4o-mini", "hello")));
        _gateway = await TestGateway.StartAsync(
            $$"""
            providers:
              - {name: upstream, type: openai, base_url: "{{_upstream.BaseUrl}}/v1", api_key: sk-up}
            models:
              - name: telemetry-model
                deployments: [{provider: upstream, model: gpt-4o-mini, input_per_million: 1, output_per_million: 2}]
            telemetry:
              prometheus: {enabled: true}
            """,
            configureServices: services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_spans)));
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    /// <summary>
    /// Completes once a request span stopped. Listeners are called in the order they were added, so the SDK's
    /// (added when the gateway started) has exported the span by then.
    /// </summary>
    private TaskCompletionSource<Activity> RequestSpanEnded()
    {
        var ended = new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == GatewayTelemetry.SourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Kind == ActivityKind.Server)
                {
                    ended.TrySetResult(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        _ = ended.Task.ContinueWith(_ => listener.Dispose(), TaskScheduler.Default);
        return ended;
    }

    [Fact]
    public async Task RequestSpanCarriesGenAiAttributesAndParentsStageAndAttemptSpans()
    {
        var chat = _gateway.CreateOpenAIClient().GetChatClient("telemetry-model");
        var ended = RequestSpanEnded();
        await chat.CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: TestContext.Current.CancellationToken);
        await ended.Task.WaitAsync(TestContext.Current.CancellationToken);

        var request = Assert.Single(_spans, s => s.OperationName == "chat" && s.Kind == ActivityKind.Server);
        Assert.Equal("chat telemetry-model", request.DisplayName);
        Assert.Equal("telemetry-model", request.GetTagItem(GenAiAttributes.RequestModel));
        Assert.Equal("gpt-4o-mini", request.GetTagItem(GenAiAttributes.ResponseModel));
        Assert.Equal("openai", request.GetTagItem(GenAiAttributes.ProviderName));
        Assert.Equal(19, request.GetTagItem(GenAiAttributes.InputTokens));
        Assert.Equal(10, request.GetTagItem(GenAiAttributes.OutputTokens));
        Assert.Equal(200, request.GetTagItem("http.response.status_code"));

        var stages = _spans.Where(s => s.GetTagItem(GenAiAttributes.Stage) is not null && s.TraceId == request.TraceId).ToList();
        Assert.Contains(stages, s => (string?)s.GetTagItem(GenAiAttributes.Stage) == "model-resolution");
        var attempt = Assert.Single(_spans, s => s.Kind == ActivityKind.Client && s.TraceId == request.TraceId);
        Assert.Equal("upstream/gpt-4o-mini", attempt.GetTagItem(GenAiAttributes.Deployment));
        Assert.Equal(1, attempt.GetTagItem(GenAiAttributes.Attempt));

        // W3C trace context reached the upstream in the request's trace (the span id is HttpClient's own child of the attempt).
        Assert.True(_upstream.Last.Headers.TryGetValue("traceparent", out var traceparent), "the upstream got no traceparent");
        Assert.StartsWith($"00-{request.TraceId}-", traceparent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestSpanContinuesTheCallersTrace()
    {
        const string TraceId = "0af7651916cd43dd8448eb211c80319c";
        using var message = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"telemetry-model","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        message.Headers.Add("traceparent", $"00-{TraceId}-b7ad6b7169203331-01");
        var ended = RequestSpanEnded();
        using var response = await _gateway.Http.SendAsync(message, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await ended.Task.WaitAsync(TestContext.Current.CancellationToken);

        var request = Assert.Single(_spans, s => s.Kind == ActivityKind.Server);
        Assert.Equal(TraceId, request.TraceId.ToHexString());
        Assert.Equal("b7ad6b7169203331", request.ParentSpanId.ToHexString());
    }

    [Fact]
    public async Task MetricsEndpointCountsRequestsErrorsTokensAndCost()
    {
        var chat = _gateway.CreateOpenAIClient().GetChatClient("telemetry-model");
        await chat.CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: TestContext.Current.CancellationToken);
        using var missing = await _gateway.Http.PostAsync(
            "/v1/chat/completions",
            new StringContent("""{"model":"no-such-model","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        var text = await _gateway.Http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Contains("switchboard_requests_total{otel_scope_name=\"Switchboard.Gateway\",gen_ai_operation_name=\"chat\",gen_ai_request_model=\"telemetry-model\",http_response_status_code=\"200\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("error_type=\"model_not_found\"", text, StringComparison.Ordinal);
        Assert.Contains("switchboard_tokens_total{otel_scope_name=\"Switchboard.Gateway\",gen_ai_provider_name=\"openai\",gen_ai_request_model=\"telemetry-model\",gen_ai_token_type=\"input\"} 19", text, StringComparison.Ordinal);
        Assert.Contains("gen_ai_server_request_duration_seconds_count", text, StringComparison.Ordinal);
        Assert.Contains("switchboard_cost_USD_total", text, StringComparison.Ordinal);
        Assert.Contains("switchboard_circuits_open", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetricsEndpointNeedsTheMasterKeyWhenThereIsOne()
    {
        await using var gateway = await TestGateway.StartAsync(
            "providers: [{name: mock, type: mock}]\nmodels: [{name: mock-echo, deployments: [{provider: mock}]}]\ntelemetry: {prometheus: {enabled: true}}",
            environment: new Dictionary<string, string?> { ["SWITCHBOARD_MASTER_KEY"] = "sk-master-test-0123456789" });
        using var anonymous = await gateway.Http.GetAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var message = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        message.Headers.Authorization = new("Bearer", "sk-master-test-0123456789");
        using var authorized = await gateway.Http.SendAsync(message, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, authorized.StatusCode);
    }

    [Fact]
    public async Task TelemetryOffLeavesThePipelineWithoutItsStageAndNoMetricsEndpoint()
    {
        await using var gateway = await TestGateway.StartAsync("providers: [{name: mock, type: mock}]\nmodels: [{name: mock-echo, deployments: [{provider: mock}]}]\nui: {enabled: false}");
        var pipeline = gateway.Services.GetRequiredService<GatewayPipeline>();
        var described = pipeline.Describe(GatewayOperations.Chat);
        Assert.DoesNotContain("telemetry", described, StringComparison.Ordinal);
        Assert.DoesNotContain("request-log", described, StringComparison.Ordinal);
        using var metrics = await gateway.Http.GetAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, metrics.StatusCode);
    }
}
