using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenAI;
using OpenAI.Chat;
using Switchboard.Caching.Embeddings;
using Switchboard.Gateway.Configuration;
using Switchboard.Gateway.Pipeline;
using Switchboard.Gateway.Tests.Infrastructure;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Tests;

/// <summary>
/// The exact and semantic caches through the real gateway, with the official OpenAI SDK as the client and a fake
/// upstream that numbers its answers (so an answer from the cache is told from a fresh one).
/// </summary>
public sealed class CacheGatewayTests(SharedEmbedder embedder) : IClassFixture<SharedEmbedder>, IAsyncLifetime
{
    private const string ExactOnly = "  exact: true";
    private const string ExactAndSemantic = "  exact: true\n  semantic: {enabled: true, store: memory}";

    private AnsweringUpstream _upstream = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _upstream = await AnsweringUpstream.StartAsync();

    public async ValueTask DisposeAsync() => await _upstream.DisposeAsync();

    [Fact]
    public async Task AnIdenticalRequestIsAnsweredFromTheCacheWithoutAskingTheUpstream()
    {
        await using var gateway = await StartAsync(ExactOnly);
        var (chat, headers) = Client(gateway);

        var first = await AskAsync(chat, "What is the capital of France?");
        Assert.Equal("miss", headers.Last("x-switchboard-cache"));
        var second = await AskAsync(chat, "What is the capital of France?");

        Assert.Equal("hit", headers.Last("x-switchboard-cache"));
        Assert.Null(headers.Last("x-switchboard-provider"));
        Assert.Equal("answer 1: What is the capital of France?", first);
        Assert.Equal(first, second);
        Assert.Equal(1, _upstream.ChatCalls);
    }

    [Fact]
    public async Task AStreamedMissIsStoredOnceCompleteAndReplayedToTheNextStreamWithUsage()
    {
        await using var gateway = await StartAsync(ExactOnly);
        var (chat, headers) = Client(gateway);

        var first = await StreamAsync(chat, "Tell me about streams");
        Assert.Equal("miss", headers.Last("x-switchboard-cache"));
        var second = await StreamAsync(chat, "Tell me about streams");

        Assert.Equal("hit", headers.Last("x-switchboard-cache"));
        Assert.Equal("answer 1: Tell me about streams", first.Text);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(ChatFinishReason.Stop, second.FinishReason);
        Assert.Equal(29, second.Usage?.TotalTokenCount);
        Assert.Equal(1, _upstream.ChatCalls);
    }

    [Fact]
    public async Task APlainAnswerServesALaterStreamAndAStreamedAnswerALaterPlainRequest()
    {
        await using var gateway = await StartAsync(ExactOnly);
        var (chat, headers) = Client(gateway);

        var plain = await AskAsync(chat, "first asked plainly");
        var replayed = await StreamAsync(chat, "first asked plainly");
        Assert.Equal("hit", headers.Last("x-switchboard-cache"));
        Assert.Equal(plain, replayed.Text);

        var streamed = await StreamAsync(chat, "first asked as a stream");
        var served = await AskAsync(chat, "first asked as a stream");
        Assert.Equal("hit", headers.Last("x-switchboard-cache"));
        Assert.Equal(streamed.Text, served);
        Assert.Equal(2, _upstream.ChatCalls);
    }

    [Fact]
    public async Task FailedAnswersAreNotStored()
    {
        await using var gateway = await StartAsync(ExactOnly);
        var (chat, _) = Client(gateway);

        await Assert.ThrowsAsync<ClientResultException>(() => AskAsync(chat, "[fail] please"));
        await Assert.ThrowsAsync<ClientResultException>(() => AskAsync(chat, "[fail] please"));

        Assert.Equal(2, _upstream.ChatCalls);
    }

    [Fact]
    public async Task AStreamThatBreaksOffIsNotStored()
    {
        await using var gateway = await StartAsync(ExactOnly);
        var (chat, headers) = Client(gateway);

        using var broken = await gateway.Http.PostAsync("/v1/chat/completions", Json("""{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"[cut] a long story"}]}"""), Ct);
        var events = await broken.Content.ReadAsStringAsync(Ct);
        Assert.Contains("\"error\"", events, StringComparison.Ordinal);
        Assert.DoesNotContain("[DONE]", events, StringComparison.Ordinal);
        await AskAsync(chat, "[cut] a long story");

        Assert.Equal("miss", headers.Last("x-switchboard-cache"));
        Assert.Equal(2, _upstream.ChatCalls);
    }

    [Fact]
    public async Task AnAnswerCutByTheTokenLimitIsNotStoredUnlessConfigured()
    {
        await using (var gateway = await StartAsync(ExactOnly))
        {
            var (chat, headers) = Client(gateway);
            await AskAsync(chat, "[length] ramble on");
            await StreamAsync(chat, "[length] ramble on");
            Assert.Equal("miss", headers.Last("x-switchboard-cache"));
            Assert.Equal(2, _upstream.ChatCalls);
        }

        await using (var gateway = await StartAsync(ExactOnly + "\n  store_truncated: true"))
        {
            var (chat, headers) = Client(gateway);
            await AskAsync(chat, "[length] ramble on");
            await AskAsync(chat, "[length] ramble on");
            Assert.Equal("hit", headers.Last("x-switchboard-cache"));
            Assert.Equal(3, _upstream.ChatCalls);
        }
    }

    [Fact]
    public async Task CacheControlNoCacheAsksTheUpstreamAndStoresTheFreshAnswer()
    {
        await using var gateway = await StartAsync(ExactOnly);
        var (chat, headers) = Client(gateway);
        await AskAsync(chat, "What time is it in Tokyo?");

        headers.RequestHeaders["cache-control"] = "no-cache";
        var fresh = await AskAsync(chat, "What time is it in Tokyo?");
        Assert.Equal("bypass", headers.Last("x-switchboard-cache"));
        headers.RequestHeaders.Clear();
        var cached = await AskAsync(chat, "What time is it in Tokyo?");

        Assert.Equal("answer 2: What time is it in Tokyo?", fresh);
        Assert.Equal("hit", headers.Last("x-switchboard-cache"));
        Assert.Equal(fresh, cached);
    }

    [Fact]
    public async Task CacheControlNoStoreNeitherUsesNorFillsTheCache()
    {
        await using var gateway = await StartAsync(ExactOnly);
        var (chat, headers) = Client(gateway);

        headers.RequestHeaders["cache-control"] = "private, no-store";
        await AskAsync(chat, "Keep this to yourself");
        Assert.Equal("bypass", headers.Last("x-switchboard-cache"));
        headers.RequestHeaders.Clear();
        await AskAsync(chat, "Keep this to yourself");
        Assert.Equal("miss", headers.Last("x-switchboard-cache"));
        headers.RequestHeaders["cache-control"] = "no-store";
        var third = await AskAsync(chat, "Keep this to yourself");

        Assert.Equal("bypass", headers.Last("x-switchboard-cache"));
        Assert.Equal("answer 3: Keep this to yourself", third);
    }

    [Fact]
    public async Task ANamespaceHeaderKeepsEntriesApart()
    {
        await using var gateway = await StartAsync(ExactOnly);
        var (chat, headers) = Client(gateway);

        headers.RequestHeaders["x-switchboard-cache-namespace"] = "support";
        await AskAsync(chat, "Where is my order?");
        headers.RequestHeaders["x-switchboard-cache-namespace"] = "sales";
        await AskAsync(chat, "Where is my order?");
        Assert.Equal("miss", headers.Last("x-switchboard-cache"));
        headers.RequestHeaders["x-switchboard-cache-namespace"] = "support";
        var support = await AskAsync(chat, "Where is my order?");
        Assert.Equal("hit", headers.Last("x-switchboard-cache"));
        headers.RequestHeaders.Clear();
        await AskAsync(chat, "Where is my order?");

        Assert.Equal("miss", headers.Last("x-switchboard-cache"));
        Assert.Equal("answer 1: Where is my order?", support);
        Assert.Equal(3, _upstream.ChatCalls);
    }

    [Fact]
    public async Task ANamespaceThatIsNotANameIsRefusedWith400()
    {
        await using var gateway = await StartAsync(ExactOnly);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""") };
        request.Headers.Add("x-switchboard-cache-namespace", "not a name!");

        using var response = await gateway.Http.SendAsync(request, Ct);

        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest, "x-switchboard-cache-namespace", "invalid_value");
        Assert.Equal(0, _upstream.ChatCalls);
    }

    [Fact]
    public async Task SampledRequestsBypassTheCacheUnlessConfigured()
    {
        var sampled = new ChatCompletionOptions { Temperature = 0.7f };
        await using (var gateway = await StartAsync(ExactOnly))
        {
            var (chat, headers) = Client(gateway);
            await chat.CompleteChatAsync([new UserChatMessage("Write a haiku")], sampled, Ct);
            await chat.CompleteChatAsync([new UserChatMessage("Write a haiku")], sampled, Ct);
            Assert.Equal("bypass", headers.Last("x-switchboard-cache"));
            Assert.Equal(2, _upstream.ChatCalls);
        }

        await using (var gateway = await StartAsync("  exact: {enabled: true, sampled: true}"))
        {
            var (chat, headers) = Client(gateway);
            await chat.CompleteChatAsync([new UserChatMessage("Write a haiku")], sampled, Ct);
            await chat.CompleteChatAsync([new UserChatMessage("Write a haiku")], sampled, Ct);
            Assert.Equal("hit", headers.Last("x-switchboard-cache"));
            Assert.Equal(3, _upstream.ChatCalls);
        }
    }

    [Fact]
    public async Task AHitRecordsTheTokensAndMoneyItSavedForTheUsageRecord()
    {
        var seen = new CompletedRequests();
        await using var gateway = await StartAsync(ExactOnly, services => services.Replace(ServiceDescriptor.Singleton(sp =>
            new GatewayPipelineBuilder(sp).Use(seen).UseGatewayStages().Build())));
        var (chat, _) = Client(gateway);

        await AskAsync(chat, "How much does this cost?");
        var miss = await seen.NextAsync();
        await AskAsync(chat, "How much does this cost?");
        var hit = await seen.NextAsync();

        Assert.Equal(new CacheResult(CacheOutcome.Miss), miss.Cache);
        Assert.Equal(29, miss.Usage?.TotalTokens);
        Assert.Equal(CacheOutcome.Hit, hit.Cache.Outcome);
        Assert.Equal(29, hit.Cache.TokensSaved);
        Assert.Equal(((19 * 1m) + (10 * 4m)) / 1_000_000m, hit.Cache.CostSaved);
        Assert.Null(hit.Usage);
        Assert.Null(hit.Provider);
    }

    [Fact]
    public async Task TheUsageRecordsSayWhatTheCacheDidAndWhatAHitSaved()
    {
        await using var gateway = await StartAsync(ExactOnly);
        var (chat, _) = Client(gateway);

        await AskAsync(chat, "Record this");
        await AskAsync(chat, "Record this");
        await StreamAsync(chat, "Record this");

        var rows = await gateway.UsageRowsAsync(3, Ct);
        Assert.Equal(["miss", "hit", "hit"], rows.Select(r => r.CacheResult));
        var miss = rows[0];
        Assert.Equal((19, 10, 0), (miss.InputTokens, miss.OutputTokens, miss.CachedTokens));
        Assert.All(rows.Skip(1), hit =>
        {
            Assert.Equal((0, 0, 29), (hit.InputTokens, hit.OutputTokens, hit.CachedTokens));
            Assert.Equal(59_000, hit.CostSavedNanoUsd);
            Assert.Null(hit.Provider);
        });
    }

    [Fact]
    public async Task TheUsageReportTotalsTheTokensAndMoneyTheCacheAndCompressionSaved()
    {
        await using var gateway = await StartAsync(
            ExactOnly,
            extraModels: "  - {name: squeezed, deployments: [{provider: up, model: squeezed}], compress: true}",
            environment: KeyedGateway.Environment());
        var (chat, _) = Client(gateway, key: KeyedGateway.MasterKey);
        var (squeezed, squeezedHeaders) = Client(gateway, "squeezed", KeyedGateway.MasterKey);
        squeezedHeaders.RequestHeaders["Cache-Control"] = "no-store";

        await AskAsync(chat, "What did this save?");
        await AskAsync(chat, "What did this save?");
        await AskAsync(squeezed, "Please note that   you must answer in order to win.");

        var rows = await gateway.UsageRowsAsync(3, Ct);
        var compressed = rows.Single(r => r.RequestedModel == "squeezed");
        Assert.True(compressed.CompressionTokensSaved > 0);
        using var report = await GetJsonAsync(gateway, "/admin/usage?group_by=model");
        var byModel = report.RootElement.GetProperty("data").EnumerateArray().ToDictionary(r => r.GetProperty("model").GetString()!);
        var mini = byModel["gpt-4o-mini"];
        Assert.Equal((2, 1, 29), (mini.GetProperty("requests").GetInt32(), mini.GetProperty("cache_hits").GetInt32(), mini.GetProperty("cached_tokens").GetInt32()));
        Assert.Equal(59_000 / 1_000_000_000m, mini.GetProperty("cost_saved_usd").GetDecimal());
        Assert.Equal(0, mini.GetProperty("compression_tokens_saved").GetInt32());
        var small = byModel["squeezed"];
        Assert.Equal((0, compressed.CompressionTokensSaved), (small.GetProperty("cache_hits").GetInt32(), small.GetProperty("compression_tokens_saved").GetInt32()));
    }

    [Fact]
    public async Task AdminCacheShowsSizesAndHitRatesAndPurgesByModelAndNamespace()
    {
        await using var gateway = await StartAsync(ExactOnly, environment: KeyedGateway.Environment());
        var (mini, headers) = Client(gateway, key: KeyedGateway.MasterKey);
        var (other, otherHeaders) = Client(gateway, "other", KeyedGateway.MasterKey);
        await AskAsync(mini, "one");
        await AskAsync(mini, "one");
        await AskAsync(other, "two");
        headers.RequestHeaders["x-switchboard-cache-namespace"] = "team-a";
        await AskAsync(mini, "three");

        using (var report = await GetJsonAsync(gateway, "/admin/cache"))
        {
            var root = report.RootElement;
            Assert.Equal(3, root.GetProperty("exact").GetProperty("entries").GetInt64());
            Assert.Equal("memory", root.GetProperty("exact").GetProperty("store").GetString());
            var requests = root.GetProperty("requests");
            Assert.Equal(1, requests.GetProperty("hit").GetInt64());
            Assert.Equal(3, requests.GetProperty("miss").GetInt64());
            Assert.Equal(0.25, requests.GetProperty("hit_rate").GetDouble());
            Assert.Equal(3, requests.GetProperty("stored").GetInt64());
        }

        Assert.Equal(1, await PurgeAsync(gateway, "?model=other"));
        Assert.Equal(1, await PurgeAsync(gateway, "?namespace=master%7Cteam-a"));
        headers.RequestHeaders.Clear();
        await AskAsync(mini, "one");
        Assert.Equal("hit", headers.Last("x-switchboard-cache"));
        await AskAsync(other, "two");
        Assert.Equal("miss", otherHeaders.Last("x-switchboard-cache"));

        Assert.Equal(2, await PurgeAsync(gateway, string.Empty));
        using var admin = gateway.Client(KeyedGateway.MasterKey);
        using var empty = await admin.DeleteAsync("/admin/cache?model=", Ct);
        await ErrorAssert.IsOpenAIErrorAsync(empty, HttpStatusCode.BadRequest, "model");
    }

    [Fact]
    public async Task AdminCacheNeedsTheMasterKeyWhenOneIsSet()
    {
        await using var gateway = await StartAsync(ExactOnly, environment: KeyedGateway.Environment());
        var (_, key) = await gateway.CreateKeyAsync(new { name = "not-admin" }, Ct);

        using var anonymous = await gateway.Http.GetAsync("/admin/cache", Ct);
        await ErrorAssert.IsOpenAIErrorAsync(anonymous, HttpStatusCode.Unauthorized);
        using var virtualKey = gateway.Client(key);
        using var purge = await virtualKey.DeleteAsync("/admin/cache", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, purge.StatusCode);
        using var admin = gateway.Client(KeyedGateway.MasterKey);
        using var master = await admin.GetAsync("/admin/cache", Ct);

        Assert.Equal(HttpStatusCode.OK, master.StatusCode);
    }

    [Fact]
    public async Task AdminCacheIsNotThereWhenNoCacheIsOn()
    {
        await using var gateway = await StartAsync("  exact: false", environment: KeyedGateway.Environment());
        using var admin = gateway.Client(KeyedGateway.MasterKey);

        using var response = await admin.GetAsync("/admin/cache", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task AParaphraseIsAnsweredFromTheSemanticCacheAndSaysHowSimilarItWas()
    {
        await using var gateway = await StartAsync(ExactAndSemantic);
        var (chat, headers) = Client(gateway);

        var first = await AskAsync(chat, "How do I reset my password?");
        var second = await AskAsync(chat, "How can I reset my password?");

        Assert.Equal("semantic", headers.Last("x-switchboard-cache"));
        Assert.True(double.Parse(headers.Last("x-switchboard-cache-similarity")!, CultureInfo.InvariantCulture) >= 0.85);
        Assert.Equal(first, second);
        Assert.Equal(1, _upstream.ChatCalls);

        var streamed = await StreamAsync(chat, "How can I reset my password?");
        Assert.Equal("semantic", headers.Last("x-switchboard-cache"));
        Assert.Equal(first, streamed.Text);
    }

    [Fact]
    public async Task AQuestionThatDiffersOnlyInANumberIsNeverAnsweredFromTheCache()
    {
        await using var gateway = await StartAsync(ExactAndSemantic);
        var (chat, headers) = Client(gateway);

        await AskAsync(chat, "Book 2 tickets to Paris for Friday");
        var other = await AskAsync(chat, "Book 3 tickets to Paris for Friday");

        Assert.Equal("miss", headers.Last("x-switchboard-cache"));
        Assert.NotNull(headers.Last("x-switchboard-cache-similarity"));
        Assert.Equal("answer 2: Book 3 tickets to Paris for Friday", other);
    }

    [Fact]
    public async Task ARoutedEmbedderIsCalledThroughTheGatewayOnlyAfterAnExactMiss()
    {
        // Every text gets the same vector: only the exact cache and the guard tell requests apart.
        await using var gateway = await StartAsync(
            "  exact: true\n  semantic: {enabled: true, store: memory, embedder: emb}",
            extraModels: "  - {name: emb, deployments: [{provider: up, model: text-embedding-3-small}]}");
        var (chat, headers) = Client(gateway);

        await AskAsync(chat, "Book 2 tickets to Paris");
        Assert.Equal(1, _upstream.EmbeddingCalls);
        await AskAsync(chat, "Book 2 tickets to Paris");
        Assert.Equal("hit", headers.Last("x-switchboard-cache"));
        Assert.Equal(1, _upstream.EmbeddingCalls);

        await AskAsync(chat, "Book 3 tickets to Paris");
        Assert.Equal("miss", headers.Last("x-switchboard-cache"));
        Assert.Equal("1.0000", headers.Last("x-switchboard-cache-similarity"));
        var paraphrase = await AskAsync(chat, "book 2 tickets to Paris");

        Assert.Equal("semantic", headers.Last("x-switchboard-cache"));
        Assert.Equal("answer 1: Book 2 tickets to Paris", paraphrase);
        Assert.Equal(3, _upstream.EmbeddingCalls);
        Assert.Equal(2, _upstream.ChatCalls);
    }

    [Fact]
    public async Task ARoutedEmbedderCallsAsTheGatewayWhenKeysAreRequired()
    {
        await using var gateway = await StartAsync(
            "  semantic: {enabled: true, store: memory, embedder: emb}",
            extraModels: "  - {name: emb, deployments: [{provider: up, model: text-embedding-3-small}]}",
            environment: KeyedGateway.Environment());
        var (_, key) = await gateway.CreateKeyAsync(new { name = "caller", models = new[] { "gpt-4o-mini" } }, Ct);
        var (chat, headers) = Client(gateway, key: key);

        await AskAsync(chat, "How do I reset my password?");
        var second = await AskAsync(chat, "how do I reset my password?");

        Assert.Equal("semantic", headers.Last("x-switchboard-cache"));
        Assert.Equal("answer 1: How do I reset my password?", second);
        Assert.Equal(2, _upstream.EmbeddingCalls);
    }

    [Fact]
    public async Task SemanticEntriesInTheDatabaseSurviveARestart()
    {
        var directory = Directory.CreateTempSubdirectory("switchboard-cache-restart-");
        try
        {
            var settings = $"  semantic: {{enabled: true, store: database}}\ndatabase: {{provider: sqlite, connection: \"Data Source={directory.FullName}/cache.db\"}}";
            await using (var before = await StartAsync(settings))
            {
                await AskAsync(Client(before).Chat, "How do I change my email address?");
            }

            await using var after = await StartAsync(settings);
            var (chat, headers) = Client(after);
            var answer = await AskAsync(chat, "How can I change my email address?");

            Assert.Equal("semantic", headers.Last("x-switchboard-cache"));
            Assert.Equal("answer 1: How do I change my email address?", answer);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task AnEmbedderThatIsNoModelStopsStartUpNamingTheKey()
    {
        var error = await Assert.ThrowsAsync<ConfigurationFileException>(() => StartAsync("  semantic: {enabled: true, embedder: nope}"));

        Assert.Contains("cache.semantic.embedder", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CacheDurationsAreWrittenAsInTheRestOfTheFile()
    {
        await using var gateway = await StartAsync("  exact: {enabled: true, ttl: 90m}", environment: KeyedGateway.Environment());

        using var report = await GetJsonAsync(gateway, "/admin/cache");

        Assert.Equal(5400, report.RootElement.GetProperty("exact").GetProperty("ttl_seconds").GetInt64());
    }

    private Task<TestGateway> StartAsync(string cache, Action<IServiceCollection>? services = null, string extraModels = "", IReadOnlyDictionary<string, string?>? environment = null) => TestGateway.StartAsync(
        $$"""
        providers:
          - {name: up, type: openai, base_url: "{{_upstream.BaseUrl}}/v1"}
        models:
          - {name: gpt-4o-mini, deployments: [{provider: up, model: gpt-4o-mini, input_per_million: 1, output_per_million: 4}]}
          - {name: other, deployments: [{provider: up, model: other}]}
        {{extraModels}}
        routing: {retries: 0}
        cache:
        {{cache}}
        """,
        environment: environment,
        configureServices: s =>
        {
            s.RemoveAll<ITextEmbedder>();
            s.AddSingleton<ITextEmbedder>(embedder);
            services?.Invoke(s);
        });

    private static (ChatClient Chat, HeaderPolicy Headers) Client(TestGateway gateway, string model = "gpt-4o-mini", string key = "sk-test")
    {
        var headers = new HeaderPolicy();
        var options = new OpenAIClientOptions { Endpoint = new Uri(gateway.BaseUrl + "/v1"), RetryPolicy = new ClientRetryPolicy(maxRetries: 0) };
        options.AddPolicy(headers, PipelinePosition.PerCall);
        return (new OpenAIClient(new ApiKeyCredential(key), options).GetChatClient(model), headers);
    }

    private static async Task<string> AskAsync(ChatClient chat, string text)
    {
        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage(text)], cancellationToken: Ct);
        return completion.Content[0].Text;
    }

    private static async Task<(string Text, ChatFinishReason? FinishReason, ChatTokenUsage? Usage)> StreamAsync(ChatClient chat, string text)
    {
        var content = new StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage(text)], cancellationToken: Ct))
        {
            foreach (var part in update.ContentUpdate)
            {
                content.Append(part.Text);
            }

            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        return (content.ToString(), finish, usage);
    }

    private static async Task<JsonDocument> GetJsonAsync(TestGateway gateway, string path)
    {
        using var admin = gateway.Client(KeyedGateway.MasterKey);
        using var response = await admin.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
    }

    private static async Task<long> PurgeAsync(TestGateway gateway, string query)
    {
        using var admin = gateway.Client(KeyedGateway.MasterKey);
        using var response = await admin.DeleteAsync("/admin/cache" + query, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return body.RootElement.GetProperty("exact").GetInt64() + body.RootElement.GetProperty("semantic").GetInt64();
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private sealed record Completed(CacheResult Cache, TokenUsage? Usage, string? Provider);

    /// <summary>What a usage stage sees: the typed context of each request once it is over.</summary>
    private sealed class CompletedRequests : IGatewayStage
    {
        private readonly System.Threading.Channels.Channel<Completed> _completed = System.Threading.Channels.Channel.CreateUnbounded<Completed>();

        public string Name => "completed";

        public GatewayOperations Operations => GatewayOperations.Chat;

        public Task<Completed> NextAsync() => _completed.Reader.ReadAsync(Ct).AsTask();

        public ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
        {
            context.OnCompleted(
                static (context, state) =>
                {
                    ((CompletedRequests)state!)._completed.Writer.TryWrite(new Completed(context.Cache, context.Usage, context.Deployment?.ProviderName));
                    return ValueTask.CompletedTask;
                },
                this);
            return next(context, cancellationToken);
        }
    }
}
