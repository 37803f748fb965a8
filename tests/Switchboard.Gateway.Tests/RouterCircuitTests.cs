using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Errors;
using Switchboard.Gateway.Configuration;
using Switchboard.Gateway.Pipeline;
using Switchboard.Gateway.Routing;
using Switchboard.Gateway.Tests.Infrastructure;
using Switchboard.OpenAI;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Tests;

/// <summary>How the router uses circuit breakers, with hand-written providers and a fake clock.</summary>
public sealed class RouterCircuitTests
{
    private static readonly TimeSpan Cooldown = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new();
    private readonly RecordingBackoff _backoff = new();
    private readonly ScriptedProvider _first = new("first");
    private readonly ScriptedProvider _second = new("second");
    private readonly ScriptedProvider _mock = new("fake", "mock", ProviderTraits.Scripted);

    /// <summary>Model <c>main</c> on the given providers (round-robin, so picks are deterministic), optionally falling back to <c>backup</c> on <c>second</c>.</summary>
    private Router CreateRouter(int failures = 3, int retries = 0, bool fallback = false, params ScriptedProvider[] deployments)
    {
        deployments = deployments.Length == 0 ? [_first] : deployments;
        var options = new SwitchboardOptions
        {
            Models =
            [
                new ModelOptions { Name = "main", Deployments = [.. deployments.Select(p => new DeploymentOptions { Provider = p.Name, Model = "m" })] },
                new ModelOptions { Name = "backup", Deployments = [new DeploymentOptions { Provider = _second.Name, Model = "b" }] },
            ],
            Routing = new RoutingOptions
            {
                Retries = retries,
                LoadBalancing = "round-robin",
                CircuitBreaker = new CircuitBreakerOptions { Failures = failures, Cooldown = Cooldown },
                Fallbacks = fallback ? new() { ["main"] = ["backup"] } : new(),
            },
        };
        var providers = new Dictionary<string, IChatProvider> { [_first.Name] = _first, [_second.Name] = _second, [_mock.Name] = _mock };
        return new Router(
            new RouteTable(options, providers, _time),
            [new RoundRobinPolicy(), new WeightedRandomPolicy()],
            Options.Create(options),
            _time,
            NullLogger<Router>.Instance,
            _backoff);
    }

    private static async Task<(GatewayResult Result, GatewayContext Context)> SendAsync(Router router, CancellationToken? cancellationToken = null)
    {
        // As the model resolution stage would have resolved it.
        var context = GatewayContext.ForChat(new ChatCompletionRequest { Model = "main", Messages = [] });
        context.Route = router.Routes.Resolve("main");
        var result = await router.ChatAsync(context, cancellationToken ?? TestContext.Current.CancellationToken);
        return (result, context);
    }

    private static async Task SendManyAsync(Router router, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await SendAsync(router);
        }
    }

    [Fact]
    public async Task AnOpenSiblingDoesNotUseUpTheRetriesOfAHealthyDeployment()
    {
        _second.AnswersWith(500);
        var router = CreateRouter(failures: 2, retries: 2, deployments: [_first, _second]);
        await SendManyAsync(router, 4);
        Assert.False(router.Routes.Models[0].Deployments[1].Circuit.IsClosed);
        var calls = 0;
        _first.Reply = _ => ValueTask.FromResult(Interlocked.Increment(ref calls) == 1 ? ScriptedProvider.Error(502) : ScriptedProvider.Ok());

        var (result, context) = await SendAsync(router);

        Assert.IsType<ChatResult.Completed>(result);
        Assert.Equal(2, context.Attempts);
        // The healthy deployment was asked again after one pause, not skipped for its open sibling.
        Assert.Equal([1], _backoff.Pauses);
    }

    [Fact]
    public async Task AnErrorTheProviderMadeItselfNeitherClosesNorOpensACircuit()
    {
        var local = ChatResult.From(GatewayError.InvalidRequest("n > 1 is not supported here", "n") with { BeforeUpstream = true });
        _first.AnswersWith(500);
        var router = CreateRouter(failures: 2);
        await SendManyAsync(router, 2);
        var circuit = router.Routes.Models[0].Deployments[0].Circuit;
        _time.Advance(Cooldown);

        // The trial is refused by the provider without asking the upstream: the circuit stays open and the
        // next request is the trial again.
        _first.Reply = _ => ValueTask.FromResult(local);
        var (refused, _) = await SendAsync(router);
        Assert.IsType<ChatResult.Failed>(refused);
        Assert.Equal(CircuitState.Open, circuit.State);
        Assert.True(circuit.TryStartTrial(out var trial));
        circuit.OnAbandoned(trial);

        // Nor do such errors count towards opening a closed circuit.
        _first.AnswersWith(200);
        await SendManyAsync(router, 1);
        Assert.True(circuit.IsClosed);
        _first.Reply = _ => ValueTask.FromResult(local);
        await SendManyAsync(router, 5);
        Assert.True(circuit.IsClosed);
    }

    [Fact]
    public async Task OpenDeploymentIsSkippedWhileTheOtherServes()
    {
        _first.AnswersWith(500);
        var router = CreateRouter(failures: 3, retries: 1, deployments: [_first, _second]);

        await SendManyAsync(router, 20);

        Assert.Equal(3, _first.Calls);
        Assert.Equal(20, _second.Calls);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(404)]
    public async Task ClientErrorsDoNotCount(int status)
    {
        _first.AnswersWith(status);
        var router = CreateRouter(failures: 3);

        await SendManyAsync(router, 10);

        Assert.Equal(10, _first.Calls);
        Assert.True(router.Routes.Models[0].Deployments[0].Circuit.IsClosed);
    }

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task RetryableFailuresCount(int status)
    {
        _first.AnswersWith(status);
        var router = CreateRouter(failures: 3);

        await SendManyAsync(router, 10);

        Assert.Equal(3, _first.Calls);
    }

    [Fact]
    public async Task AllOpenIs503WithTheShortestRemainingCooldown()
    {
        _first.AnswersWith(500);
        _second.AnswersWith(503);
        var router = CreateRouter(failures: 1, deployments: [_first, _second]);
        await SendManyAsync(router, 1);
        _time.Advance(TimeSpan.FromSeconds(10));
        await SendManyAsync(router, 1);

        var (result, context) = await SendAsync(router);

        var error = Assert.IsType<ChatResult.Failed>(result).Error;
        Assert.Equal(503, error.StatusCode);
        Assert.Equal(ErrorCodes.UpstreamUnavailable, error.Code);
        Assert.Equal(TimeSpan.FromSeconds(20), error.RetryAfter);
        Assert.Contains("circuit is open", error.Message, StringComparison.Ordinal);
        Assert.Contains("first/m", error.Message, StringComparison.Ordinal);
        Assert.Contains("second/m", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, context.Attempts);
        Assert.Equal(1, _first.Calls);
        Assert.Equal(1, _second.Calls);
    }

    [Fact]
    public async Task AllOpenGoesToTheFallbacks()
    {
        _first.AnswersWith(500);
        var router = CreateRouter(failures: 2, fallback: true);
        await SendManyAsync(router, 2);

        var (result, context) = await SendAsync(router);

        Assert.IsType<ChatResult.Completed>(result);
        Assert.Equal("second", context.Deployment?.ProviderName);
        Assert.Equal(1, context.Attempts);
        Assert.Equal(2, _first.Calls);
    }

    [Fact]
    public async Task TrialAfterTheCooldownClosesTheCircuitWhenItSucceeds()
    {
        _first.AnswersWith(500);
        var router = CreateRouter(failures: 2);
        await SendManyAsync(router, 3);
        _first.AnswersWith(200);
        await SendManyAsync(router, 1);
        Assert.Equal(2, _first.Calls);

        _time.Advance(Cooldown);
        var (trial, _) = await SendAsync(router);
        var (after, _) = await SendAsync(router);

        Assert.IsType<ChatResult.Completed>(trial);
        Assert.IsType<ChatResult.Completed>(after);
        Assert.Equal(4, _first.Calls);
    }

    [Fact]
    public async Task FailedTrialReopensTheCircuit()
    {
        _first.AnswersWith(500);
        var router = CreateRouter(failures: 2);
        await SendManyAsync(router, 2);
        _time.Advance(Cooldown);

        var (trial, _) = await SendAsync(router);
        var (after, _) = await SendAsync(router);

        Assert.Equal(500, Assert.IsType<ChatResult.Failed>(trial).Error.StatusCode);
        Assert.Equal(503, Assert.IsType<ChatResult.Failed>(after).Error.StatusCode);
        Assert.Equal(Cooldown, Assert.IsType<ChatResult.Failed>(after).Error.RetryAfter);
        Assert.Equal(3, _first.Calls);
    }

    [Fact]
    public async Task WhileTheTrialIsOutOtherRequestsSkipTheDeployment()
    {
        _first.AnswersWith(500);
        var router = CreateRouter(failures: 2, fallback: true);
        await SendManyAsync(router, 2);
        _time.Advance(Cooldown);
        var release = new TaskCompletionSource<ChatResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        // Only the first call (the trial) waits; a second call here would be the bug this test looks for.
        _first.Reply = _ => Interlocked.Increment(ref calls) == 1 ? new ValueTask<ChatResult>(release.Task) : ValueTask.FromResult(ScriptedProvider.Ok());

        var trial = SendAsync(router);
        var (meanwhile, context) = await SendAsync(router);
        release.SetResult(ScriptedProvider.Ok());
        var (trialResult, trialContext) = await trial;

        Assert.IsType<ChatResult.Completed>(meanwhile);
        Assert.Equal("second", context.Deployment?.ProviderName);
        Assert.IsType<ChatResult.Completed>(trialResult);
        Assert.Equal("first", trialContext.Deployment?.ProviderName);
        Assert.Equal(3, _first.Calls);
        Assert.True(router.Routes.Models[0].Deployments[0].Circuit.IsClosed);
    }

    [Fact]
    public async Task TrialCancelledByTheClientLetsTheNextRequestTry()
    {
        _first.AnswersWith(500);
        var router = CreateRouter(failures: 2);
        await SendManyAsync(router, 2);
        _time.Advance(Cooldown);
        _first.Reply = async ct =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return ScriptedProvider.Ok();
        };
        using var client = new CancellationTokenSource();

        var trial = SendAsync(router, client.Token);
        await client.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => trial);
        _first.AnswersWith(200);
        var (next, _) = await SendAsync(router);

        Assert.IsType<ChatResult.Completed>(next);
        Assert.Equal(4, _first.Calls);
    }

    [Fact]
    public async Task AMisconfiguredDeploymentIsNotAskedAgainWhileItsSiblingIsRetried()
    {
        _first.Reply = _ => ValueTask.FromResult(ChatResult.From(GatewayError.BadGateway("key refused") with { Misconfigured = true }));
        _second.AnswersWith(500);
        var router = CreateRouter(retries: 3, deployments: [_first, _second]);

        var send = SendAsync(router);
        while (!send.IsCompleted)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(1, TestContext.Current.CancellationToken);
        }

        var (result, context) = await send;
        Assert.Equal(1, _first.Calls);
        Assert.Equal(3, _second.Calls);
        Assert.Equal(4, context.Attempts);
        Assert.StartsWith("Every attempt failed (4): ", Assert.IsType<ChatResult.Failed>(result).Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ZeroFailuresTurnsBreakingOff()
    {
        _first.AnswersWith(500);
        var router = CreateRouter(failures: 0);

        await SendManyAsync(router, 10);

        Assert.Equal(10, _first.Calls);
    }

    [Fact]
    public async Task MockProviderFaultsNeverOpenItsCircuit()
    {
        _mock.AnswersWith(500);
        var router = CreateRouter(failures: 2, deployments: [_mock]);

        await SendManyAsync(router, 10);

        Assert.Equal(10, _mock.Calls);
    }

    [Fact]
    public async Task ATrialStreamThatDiesAfterItsRoleChunkReopensTheCircuit()
    {
        _first.AnswersWith(500);
        var router = CreateRouter(failures: 1);
        await SendAsync(router);
        var circuit = router.Routes.Models[0].Deployments[0].Circuit;
        Assert.False(circuit.IsClosed);
        _time.Advance(Cooldown);
        _first.Reply = _ => ValueTask.FromResult<ChatResult>(new ChatResult.Streaming(RoleThenFailure()));

        var (result, _) = await SendAsync(router);

        Assert.IsType<ChatResult.Failed>(result);
        Assert.False(circuit.IsClosed);
    }

    private static async IAsyncEnumerable<Switchboard.Streaming.StreamedChunk> RoleThenFailure()
    {
        await Task.Yield();
        yield return Switchboard.Streaming.StreamedChunk.From(new ChatCompletionChunk { Choices = [new ChunkChoice { Delta = new ChatDelta { Role = "assistant", Content = string.Empty } }] });
        throw new ChatStreamException(GatewayError.BadGateway("The upstream broke off the stream."));
    }

    /// <summary>Notes each pause the router asks for and makes it zero, so no test waits on a clock.</summary>
    private sealed class RecordingBackoff : IRetryBackoff
    {
        public List<int> Pauses { get; } = [];

        public TimeSpan Delay(int retry)
        {
            Pauses.Add(retry);
            return TimeSpan.Zero;
        }
    }
}
