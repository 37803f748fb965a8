using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Switchboard.Accounting;
using Switchboard.Data;
using Switchboard.Data.Keys;
using Switchboard.Gateway.Auth;
using Switchboard.Gateway.Configuration;
using Switchboard.Gateway.Endpoints;
using Switchboard.Gateway.Limits;
using Switchboard.Gateway.Pipeline;
using Switchboard.Gateway.Routing;
using Switchboard.Gateway.Stages;
using Switchboard.Identity;
using Switchboard.Limits;
using Switchboard.OpenAI;
using Switchboard.Pipeline;
using Switchboard.Tokens;

namespace Switchboard.Benchmarks;

/// <summary>
/// What the issue-9 stages add to a request on its own thread, through the real pipeline with an upstream that
/// answers at once (no network): the pipeline without them (the baseline), each stage alone (auth with a virtual
/// key from the verified-key cache; rate limits in memory with the key's RPM/TPM/daily budget and a model RPM/TPM,
/// the prompt counted for TPM; the usage record built and queued), and all of them with the model-access check, as
/// <c>serve</c> composes them. Queued records go to a sink that drops them: the writer's own cost per row is
/// <see cref="UsageWriterCpu"/>'s.
/// </summary>
[MemoryDiagnoser]
public class AccessStageBenchmarks
{
    private const string MasterKey = "bench-master-key-0123456789abcdef";

    private static readonly byte[] AnswerJson = Encoding.UTF8.GetBytes(
        "{\"id\":\"chatcmpl-bench0000000000000000000001\",\"object\":\"chat.completion\",\"created\":1763942400,\"model\":\"gpt-4o-mini-2024-07-18\"," +
        "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello! How can I help you today?\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}]," +
        "\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":9,\"total_tokens\":28},\"system_fingerprint\":\"fp_bench\"}");

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("switchboard-bench-");
    private readonly ChatCompletionResponse _answer = JsonSerializer.Deserialize(AnswerJson, OpenAIJsonContext.Default.ChatCompletionResponse)!;
    private ModelRoute _route = null!;
    private ChatCompletionRequest _request = null!;
    private Dictionary<string, string> _headers = null!;
    private GatewayPipeline _plain = null!;
    private GatewayPipeline _auth = null!;
    private GatewayPipeline _limits = null!;
    private GatewayPipeline _usage = null!;
    private GatewayPipeline _all = null!;
    private KeyAuthenticator _authenticator = null!;
    private CallerIdentity? _caller;
    private RequestDelegate _throttleIdle = null!;
    private RequestDelegate _throttleBusy = null!;
    private DefaultHttpContext _http = null!;
    private DefaultHttpContext _httpRefused = null!;
    private readonly HttpResponse _response = new DefaultHttpContext().Response;

    /// <summary>Records the usage stage queued (dropped at once).</summary>
    public long Queued => Sink.Count;

    private CountingSink Sink { get; } = new();

    [GlobalSetup]
    public void Setup()
    {
        var database = new SwitchboardDatabase(new DatabaseOptions { Connection = $"Data Source={Path.Combine(_folder.FullName, "bench.db")}" });
        database.MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
        var store = new KeyStore(database, TimeProvider.System);
        var key = store.CreateAsync(
            new KeySpec { Name = "bench", Rpm = 1_000_000_000, Tpm = 2_000_000_000, BudgetDailyUsd = 1_000_000m },
            CancellationToken.None).GetAwaiter().GetResult().Secret;
        var authOptions = Options.Create(new AuthOptions { MasterKey = MasterKey, KeyCacheTtl = TimeSpan.FromHours(1) });
        _authenticator = new KeyAuthenticator(authOptions, store, TimeProvider.System, NullLogger<KeyAuthenticator>.Instance);
        _caller = _authenticator.AuthenticateAsync(key, CancellationToken.None).AsTask().GetAwaiter().GetResult().Identity
            ?? throw new InvalidOperationException("the key did not verify");
        _headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["authorization"] = "Bearer " + key };

        var options = Options.Create(new SwitchboardOptions
        {
            Models =
            [
                new ModelOptions
                {
                    Name = "gpt-4o-mini",
                    Rpm = 1_000_000_000,
                    Tpm = 1_000_000_000_000,
                    Deployments = [new DeploymentOptions { Provider = "upstream", Model = "gpt-4o-mini" }],
                },
            ],
        });
        var deployment = new Deployment(new NoProvider(), "gpt-4o-mini", 1, 0.15m, 0.6m, new CircuitBreaker(5, TimeSpan.FromSeconds(30), TimeProvider.System));
        _route = new ModelRoute("gpt-4o-mini", [deployment], []);
        GatewayDelegate upstream = (context, _) =>
        {
            context.Deployment = deployment;
            context.Usage = new TokenUsage(19, 9);
            context.Attempts = 1;
            return new ValueTask<GatewayResult>(new ChatResult.Completed(_answer, AnswerJson));
        };

        var limitStore = new MemoryLimitStore(LimitsSettings.From(options.Value.Limits), NoSpendSource.Instance, TimeProvider.System);
        var planner = new LimitPlanner(options, TiktokenTokenCounter.Instance);
        IGatewayStage Limits() => new RateLimitStage(limitStore, planner, new CallerKeyLimitsSource(), [new WeightedRandomPolicy(), new RoundRobinPolicy()], options);
        var usage = new UsageRecordStage(Sink, Options.Create(new DatabaseOptions()));
        var services = new ServiceCollection().BuildServiceProvider();
        _plain = new GatewayPipelineBuilder(services).Build(upstream);
        _auth = new GatewayPipelineBuilder(services).Use(new AuthStage(_authenticator, authOptions)).Build(upstream);
        _limits = new GatewayPipelineBuilder(services).Use(Limits()).Build(upstream);
        _usage = new GatewayPipelineBuilder(services).Use(usage).Build(upstream);
        _all = new GatewayPipelineBuilder(services)
            .Use(usage)
            .Use(new AuthStage(_authenticator, authOptions))
            .Use(Limits())
            .Use(new ModelAccessStage(_authenticator, authOptions))
            .Build(upstream);
        _request = new ChatCompletionRequest
        {
            Model = "gpt-4o-mini",
            Messages = [ChatMessage.System("You are a helpful assistant."), ChatMessage.User("Say hello to the people in the channel and ask how their day went.")],
            MaxTokens = 64,
        };
        // The throttle of wrong keys (the gateway's first middleware, outside the pipeline, as GatewayHost composes it)
        // on a request with a verified virtual key answered 200: with no address refused; while another address is
        // refused; from the refused address itself. The endpoint answers at once and costs nothing.
        RequestDelegate answered = static _ => Task.CompletedTask;
        var idle = new FailedKeyThrottle(20, TimeSpan.FromMinutes(5), 10_000, TimeProvider.System);
        var busy = new FailedKeyThrottle(20, TimeSpan.FromDays(1), 10_000, TimeProvider.System);
        for (var i = 0; i < 20; i++)
        {
            busy.Failed(System.Net.IPAddress.Parse("203.0.113.66"));
        }

        var idleGuard = new HeaderKeyThrottle(idle, _authenticator, NullLogger<HeaderKeyThrottle>.Instance);
        var busyGuard = new HeaderKeyThrottle(busy, _authenticator, NullLogger<HeaderKeyThrottle>.Instance);
        _throttleIdle = http => idleGuard.Refuse(http) ?? answered(http);
        _throttleBusy = http => busyGuard.Refuse(http) ?? answered(http);
        _http = new DefaultHttpContext();
        _http.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("198.51.100.7");
        _http.Request.Headers.Authorization = "Bearer " + key;
        _httpRefused = new DefaultHttpContext();
        _httpRefused.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("203.0.113.66");
        _httpRefused.Request.Headers.Authorization = "Bearer " + key;

        foreach (var pipeline in new[] { _plain, _auth, _limits, _usage, _all })
        {
            Run(pipeline, withCaller: pipeline == _limits).AsTask().GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    [Benchmark(Baseline = true, Description = "pipeline without the issue-9 stages")]
    public ValueTask<int> Plain() => Run(_plain, withCaller: false);

    [Benchmark(Description = "auth: virtual key (verified-key cache)")]
    public ValueTask<int> Auth() => Run(_auth, withCaller: false);

    [Benchmark(Description = "rate limits: key RPM/TPM/budget + model RPM/TPM, admit + settle")]
    public ValueTask<int> Limits() => Run(_limits, withCaller: true);

    [Benchmark(Description = "usage record built and queued")]
    public ValueTask<int> Usage() => Run(_usage, withCaller: false);

    [Benchmark(Description = "all: usage + auth + limits + model access")]
    public ValueTask<int> All() => Run(_all, withCaller: false);

    /// <summary>The prompt counted for TPM (o200k), the part of the limits stage that grows with the prompt.</summary>
    public ValueTask<int> TokenEstimate() => new(TiktokenTokenCounter.Instance.CountPromptTokens(_request.Messages!));

    /// <summary>The throttle of wrong keys with no address refused, the endpoint answering at once.</summary>
    public ValueTask<int> ThrottleIdle() => new(_throttleIdle(_http).IsCompletedSuccessfully ? 1 : 0);

    /// <summary>The same while another address is refused: the key and the address are looked at.</summary>
    public ValueTask<int> ThrottleBusy() => new(_throttleBusy(_http).IsCompletedSuccessfully ? 1 : 0);

    /// <summary>A refused address presenting a virtual key this process verified: let through.</summary>
    public ValueTask<int> ThrottleVerified() => new(_throttleBusy(_httpRefused).IsCompletedSuccessfully ? 1 : 0);

    /// <summary>A verified-key cache hit alone.</summary>
    public ValueTask<int> KeyLookup()
    {
        var pending = _authenticator.AuthenticateAsync(_headers["authorization"][7..], CancellationToken.None);
        return new(pending.Result.Identity is null ? 0 : 1);
    }

    private async ValueTask<int> Run(GatewayPipeline pipeline, bool withCaller)
    {
        var context = GatewayContext.ForChat(_request);
        context.RequestHeaders = _headers;
        context.RequestId = "req_0123456789abcdef01234567";
        context.Route = _route;
        if (withCaller)
        {
            context.Caller = _caller;
        }

        var result = await pipeline.InvokeAsync(context, default);
        // The answer's headers as the endpoint writes them (x-request-id, x-switchboard-*, x-ratelimit-*).
        _response.Headers.Clear();
        GatewayResponseHeaders.Write(_response, context);
        await context.CompleteAsync();
        return result is ChatResult.Completed ? 1 : 0;
    }

    private sealed class CountingSink : IUsageSink
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public bool TryEnqueue(UsageRecord record)
        {
            Interlocked.Increment(ref _count);
            return true;
        }
    }

    private sealed class NoProvider : IChatProvider
    {
        public string Name => "bench";

        public string Type => "openai";

        public ValueTask<ChatResult> ChatAsync(ChatCompletionRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<EmbeddingResult> EmbedAsync(EmbeddingRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<ProviderHealth> CheckHealthAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
