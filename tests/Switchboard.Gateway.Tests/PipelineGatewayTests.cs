using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenAI.Chat;
using Switchboard.Errors;
using Switchboard.Gateway.Pipeline;
using Switchboard.Gateway.Tests.Infrastructure;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Tests;

/// <summary>Hand-written stages in front of the real gateway's stages, through real HTTP and the official SDK.</summary>
public sealed class PipelineGatewayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Starts the embedded-default gateway with <paramref name="stages"/> before its own.</summary>
    private static Task<TestGateway> StartWithAsync(params IGatewayStage[] stages) => TestGateway.StartAsync(configureServices: services =>
        services.Replace(ServiceDescriptor.Singleton(sp =>
        {
            var builder = new GatewayPipelineBuilder(sp);
            foreach (var stage in stages)
            {
                builder.Use(stage);
            }

            return builder.UseGatewayStages().Build();
        })));

    [Fact]
    public async Task ChatEmbeddingsAndModelsAllGoThroughTheStages()
    {
        var seen = new SeenStage();
        await using var gateway = await StartWithAsync(seen);

        await gateway.CreateOpenAIClient().GetChatClient("mock-echo").CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Ct);
        await gateway.CreateOpenAIClient().GetEmbeddingClient("mock-embedding").GenerateEmbeddingAsync("hi", cancellationToken: Ct);
        using var list = await gateway.Http.GetAsync("/v1/models", Ct);
        using var one = await gateway.Http.GetAsync("/v1/models/mock-echo", Ct);

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal(["Chat mock-echo", "Embeddings mock-embedding", "Models ", "Models mock-echo"], seen.Requests);
    }

    [Fact]
    public async Task WhatStagesRecordReachesTheClientAsHeaders()
    {
        await using var gateway = await StartWithAsync(new HeaderStage());
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"mock-echo","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-request-id", "abc-123");

        using var response = await gateway.Http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("100", response.Headers.GetValues("x-ratelimit-limit-requests").Single());
        Assert.Equal("miss", response.Headers.GetValues("x-switchboard-cache").Single());
        Assert.Equal("abc-123", response.Headers.GetValues("x-request-id").Single());
        Assert.Equal("mock", response.Headers.GetValues("x-switchboard-provider").Single());
        Assert.Equal("mock-echo", response.Headers.GetValues("x-switchboard-model").Single());
        Assert.Equal("1", response.Headers.GetValues("x-switchboard-attempts").Single());
    }

    [Fact]
    public async Task AStageThatAnswersItselfSendsAnOpenAIErrorAndNoUpstreamIsAsked()
    {
        await using var gateway = await StartWithAsync(new RefusingStage());

        using var response = await gateway.Http.PostAsync(
            "/v1/chat/completions",
            new StringContent("""{"model":"mock-echo","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
            Ct);

        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.Unauthorized, code: "invalid_api_key");
        Assert.True(response.Headers.Contains("x-request-id"));
        Assert.False(response.Headers.Contains("x-switchboard-attempts"));
        Assert.False(response.Headers.Contains("x-switchboard-provider"));
    }

    [Fact]
    public async Task AStreamsRealUsageIsKnownOnceItsLastChunkWentOut()
    {
        var usage = new UsageStage();
        await using var gateway = await StartWithAsync(usage);
        var chat = gateway.CreateOpenAIClient().GetChatClient("mock-echo");

        ChatTokenUsage? reported = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("count these words please")], new ChatCompletionOptions(), Ct))
        {
            reported ??= update.Usage;
        }

        var record = await usage.Completed.Task.WaitAsync(Ct);
        Assert.NotNull(reported);
        Assert.Equal(new TokenUsage(reported.InputTokenCount, reported.OutputTokenCount), record.Usage);
        Assert.Equal(200, record.Status);
        Assert.Equal("mock", record.Provider);
        Assert.Equal("mock-echo", record.Route);
        Assert.NotNull(record.TimeToFirstToken);
        Assert.NotNull(record.Duration);
        Assert.True(record.Duration >= record.TimeToFirstToken);
    }

    [Fact]
    public async Task ARequestThatFailsBeforeAnyUpstreamIsStillCompleted()
    {
        var usage = new UsageStage();
        await using var gateway = await StartWithAsync(usage);

        using var response = await gateway.Http.PostAsync(
            "/v1/chat/completions",
            new StringContent("""{"model":"no-such-model","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
            Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var record = await usage.Completed.Task.WaitAsync(Ct);
        Assert.Equal(404, record.Status);
        Assert.Null(record.Usage);
        Assert.Null(record.Provider);
    }

    private sealed class SeenStage : IGatewayStage
    {
        public ConcurrentQueue<string> Requests { get; } = new();

        public string Name => "seen";

        public GatewayOperations Operations => GatewayOperations.All;

        public ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
        {
            Requests.Enqueue($"{context.Operation} {context.RequestedModel}");
            return next(context, cancellationToken);
        }
    }

    private sealed class HeaderStage : IGatewayStage
    {
        public string Name => "headers";

        public GatewayOperations Operations => GatewayOperations.Chat;

        public ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
        {
            context.ResponseHeaders["x-ratelimit-limit-requests"] = "100";
            context.Cache = new CacheResult(CacheOutcome.Miss);
            return next(context, cancellationToken);
        }
    }

    private sealed class RefusingStage : IGatewayStage
    {
        public string Name => "refusing";

        public GatewayOperations Operations => GatewayOperations.All;

        public ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken) =>
            new(context.Fail(new GatewayError { StatusCode = 401, Type = ErrorTypes.Authentication, Message = "Incorrect API key provided.", Code = "invalid_api_key" }));
    }

    private sealed record UsageRecord(TokenUsage? Usage, int Status, string? Provider, string? Route, TimeSpan? TimeToFirstToken, TimeSpan? Duration);

    /// <summary>What a usage stage does: hears of the end of every request and reads the typed context.</summary>
    private sealed class UsageStage : IGatewayStage
    {
        public TaskCompletionSource<UsageRecord> Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "usage";

        public GatewayOperations Operations => GatewayOperations.Inference;

        public ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
        {
            context.OnCompleted(static (context, state) =>
            {
                ((UsageStage)state!).Completed.TrySetResult(new UsageRecord(
                    context.Usage, context.StatusCode, context.Deployment?.ProviderName, context.Route?.Name, context.TimeToFirstToken, context.Duration));
                return ValueTask.CompletedTask;
            }, this);
            return next(context, cancellationToken);
        }
    }
}
